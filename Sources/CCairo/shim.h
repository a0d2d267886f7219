// cairo's C API (Debian: libcairo2-dev): image and SVG surfaces, PNG reading and writing.
#include <cairo/cairo.h>
#include <cairo/cairo-svg.h>
#include <cairo/cairo-pdf.h>
