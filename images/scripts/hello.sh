# A first script for the guest: who and where we are.
echo "hello from inside the simulated machine"
uname -a
grep -m1 "model name" /proc/cpuinfo
cat /proc/meminfo | head -2
