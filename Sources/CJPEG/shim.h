// libjpeg's C API as provided by libjpeg-turbo (Debian: libjpeg62-turbo-dev), for decoding JPEG photos.
// jpeglib.h needs FILE and size_t declared before it.
#include <stdio.h>
#include <stddef.h>
#include <jpeglib.h>
