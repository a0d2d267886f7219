// zlib's C API (Debian: zlib1g-dev), for streaming .gz decompression.
#include <zlib.h>
