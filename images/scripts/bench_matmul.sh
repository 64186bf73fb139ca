# Run a benchmark whose region of interest is bracketed by m5 resetstats/dumpstats
# (libm5 inside the program), then send a result file to the host.
/bench/matmul 96 | tee /tmp/matmul.txt
/sbin/m5 writefile /tmp/matmul.txt matmul.txt
