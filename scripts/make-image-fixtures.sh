#!/bin/sh
# Writes the tiny image fixtures of Tests/StrataDataTests/Fixtures (run once; the files are committed):
#   grey.jpg, color.jpg  8×8 gradients through libjpeg-turbo's cjpeg (quality 100, no chroma subsampling)
#   cmyk.jpg             an 8×8 CMYK JPEG (written with libjpeg's C API), which Strata must refuse clearly
#   grey.png, color.png  3 wide × 2 high PNGs (colour types 0 and 2), written with Python's zlib
# The pixel formulas are repeated in ImageDecodingTests.swift. Needs python3, cc, libjpeg62-turbo-dev and
# libjpeg-turbo-progs (`apt-get install -y libjpeg-turbo-progs`).
set -eu
out="$(cd "$(dirname "$0")/.." && pwd)/Tests/StrataDataTests/Fixtures"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

python3 - "$work" "$out" <<'PY'
import struct, sys, zlib
work, out = sys.argv[1], sys.argv[2]
# grey(y, x) = 20 + 20x + 8y; colour(y, x) = (30 + 25x, 40 + 20y, 200 - 10x - 10y), 8×8.
grey = bytes(20 + 20 * x + 8 * y for y in range(8) for x in range(8))
color = bytes(v for y in range(8) for x in range(8) for v in (30 + 25 * x, 40 + 20 * y, 200 - 10 * x - 10 * y))
open(f"{work}/grey.pgm", "wb").write(b"P5\n8 8\n255\n" + grey)
open(f"{work}/color.ppm", "wb").write(b"P6\n8 8\n255\n" + color)

def png(path, width, height, color_type, rows):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
                           + chunk(b"IEND", b""))

png(f"{out}/grey.png", 3, 2, 0, [bytes([0, 100, 255]), bytes([7, 50, 200])])
png(f"{out}/color.png", 3, 2, 2, [bytes([255, 0, 0, 0, 255, 0, 0, 0, 255]), bytes([10, 20, 30, 40, 50, 60, 70, 80, 90])])
PY

cjpeg -quality 100 -sample 1x1 -outfile "$out/grey.jpg" "$work/grey.pgm"
cjpeg -quality 100 -sample 1x1,1x1,1x1 -outfile "$out/color.jpg" "$work/color.ppm"

cat > "$work/cmyk.c" <<'C'
#include <stdio.h>
#include <jpeglib.h>
int main(int argc, char **argv) {
    struct jpeg_compress_struct cinfo;
    struct jpeg_error_mgr err;
    unsigned char row[8 * 4];
    FILE *file = fopen(argv[1], "wb");
    if (!file) return 1;
    cinfo.err = jpeg_std_error(&err);
    jpeg_create_compress(&cinfo);
    jpeg_stdio_dest(&cinfo, file);
    cinfo.image_width = 8;
    cinfo.image_height = 8;
    cinfo.input_components = 4;
    cinfo.in_color_space = JCS_CMYK;
    jpeg_set_defaults(&cinfo);
    jpeg_start_compress(&cinfo, TRUE);
    for (int y = 0; y < 8; y++) {
        for (int i = 0; i < 32; i++) row[i] = (unsigned char)(8 * y + i);
        JSAMPROW pointer = row;
        jpeg_write_scanlines(&cinfo, &pointer, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    return fclose(file) != 0;
}
C
cc -o "$work/cmyk" "$work/cmyk.c" -ljpeg
"$work/cmyk" "$out/cmyk.jpg"
ls -l "$out"
