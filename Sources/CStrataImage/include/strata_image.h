// JPEG decoding for StrataData through libjpeg-turbo (Debian: libjpeg62-turbo-dev), with errors returned
// as messages instead of libjpeg's default exit(): a C shim because the recovery needs setjmp/longjmp.
#ifndef STRATA_IMAGE_H
#define STRATA_IMAGE_H

#include <stddef.h>

/// Largest decoded image accepted, in bytes (width × height × channels); bigger claims are refused.
#define STRATA_JPEG_MAX_BYTES ((size_t)1 << 30)

/// Decodes the JPEG held in `data` (`size` bytes) to 8-bit samples: grey (1 channel) or, when `color` is
/// non-zero, RGB (3 channels, interleaved). On success returns 0 and sets `*pixels` (rows of
/// `*width × *channels` bytes, `*height` rows; free it with `strata_image_free`), `*width`, `*height` and
/// `*channels`. On failure returns non-zero, sets `*pixels` to NULL and writes the reason (libjpeg's own
/// message where it has one) into `message` (`message_capacity` bytes, NUL-terminated).
/// A file libjpeg only warns about (a truncated file, corrupt entropy-coded data) is refused too.
int strata_jpeg_decode(const unsigned char *data, size_t size, int color,
                       unsigned char **pixels, int *width, int *height, int *channels,
                       char *message, size_t message_capacity);

/// Frees pixels returned by `strata_jpeg_decode`.
void strata_image_free(unsigned char *pixels);

#endif
