# images/lib/mbr.sh - sourced by the image builders (mkimage.sh, debian-image.sh).
#
# mbr_partition IMG SIZE_MIB LABEL TMPDIR: turn the ext4 file system IMG
# (SIZE_MIB MiB) into a partitioned disk: one primary Linux partition (type
# 0x83, bootable) from sector 2048 to the end, in a hand-written MBR. The disk
# signature comes from LABEL, so the image stays a pure function of its inputs.
mbr_partition() {
  local img=$1 size=$2 label=$3 tmp=$4
  le32() { printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
  local fs_sectors=$((size * 2048))
  mv -f "$img" "$tmp/fs.img"
  truncate -s $(( (fs_sectors + 2048) * 512 )) "$img"
  local sig=$((16#$(printf '%s' "$label" | sha256sum | cut -c1-8)))
  { printf "$(le32 $sig)"'\x00\x00'
    printf '\x80\xfe\xff\xff\x83\xfe\xff\xff'"$(le32 2048)$(le32 $fs_sectors)"
    head -c 48 /dev/zero
    printf '\x55\xaa'; } | dd of="$img" bs=1 seek=440 conv=notrunc status=none
  dd if="$tmp/fs.img" of="$img" bs=1M seek=1 conv=notrunc,sparse status=none
  rm -f "$tmp/fs.img"
}
