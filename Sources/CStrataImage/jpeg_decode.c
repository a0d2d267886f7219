// JPEG decoding through libjpeg-turbo with recoverable errors (see include/strata_image.h).
#include "strata_image.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

/// libjpeg's error manager extended with a jump target and the texts of the error and first warning.
struct strata_error_manager {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char error[JMSG_LENGTH_MAX];
    char warning[JMSG_LENGTH_MAX];
};

/// Replaces libjpeg's exit(): keep the message and jump back to strata_jpeg_decode.
static void strata_error_exit(j_common_ptr cinfo) {
    struct strata_error_manager *manager = (struct strata_error_manager *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, manager->error);
    longjmp(manager->jump, 1);
}

/// Replaces libjpeg's printing to stderr: count warnings and keep the first one's text; drop traces.
static void strata_emit_message(j_common_ptr cinfo, int msg_level) {
    struct strata_error_manager *manager = (struct strata_error_manager *)cinfo->err;
    if (msg_level < 0) {
        if (cinfo->err->num_warnings == 0) {
            (*cinfo->err->format_message)(cinfo, manager->warning);
        }
        cinfo->err->num_warnings++;
    }
}

int strata_jpeg_decode(const unsigned char *data, size_t size, int color,
                       unsigned char **pixels, int *width, int *height, int *channels,
                       char *message, size_t message_capacity) {
    struct jpeg_decompress_struct cinfo;
    struct strata_error_manager manager;
    unsigned char *volatile buffer = NULL;
    *pixels = NULL;
    *width = *height = *channels = 0;
    if (message_capacity > 0) message[0] = '\0';
    if (size == 0) {
        snprintf(message, message_capacity, "empty JPEG data");
        return 1;
    }

    cinfo.err = jpeg_std_error(&manager.base);
    manager.base.error_exit = strata_error_exit;
    manager.base.emit_message = strata_emit_message;
    manager.error[0] = '\0';
    manager.warning[0] = '\0';
    if (setjmp(manager.jump)) {
        snprintf(message, message_capacity, "libjpeg: %s", manager.error);
        free(buffer);
        jpeg_destroy_decompress(&cinfo);
        return 1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
        snprintf(message, message_capacity, "a %s JPEG (4 channels) is not supported; convert it to RGB or grey",
                 cinfo.jpeg_color_space == JCS_CMYK ? "CMYK" : "YCCK");
        jpeg_destroy_decompress(&cinfo);
        return 1;
    }
    // A Huffman-coded scan spends at least one bit on the DC term of every 8×8 block, so a file of `size`
    // bytes cannot hold more than 8 × 64 pixels per byte; a bigger claim would only decode padding (slowly,
    // into a large buffer). Arithmetic coding has no such floor and is bounded by the size limit below.
    if (!cinfo.arith_code && (double)cinfo.image_width * (double)cinfo.image_height > 512.0 * (double)size) {
        snprintf(message, message_capacity, "the frame claims %u×%u pixels, more than its %zu bytes can encode;"
                 " refused before allocating", cinfo.image_width, cinfo.image_height, size);
        jpeg_destroy_decompress(&cinfo);
        return 1;
    }
    cinfo.out_color_space = color ? JCS_RGB : JCS_GRAYSCALE;
    // The output size, checked before jpeg_start_decompress allocates libjpeg's buffers (a progressive file
    // keeps every coefficient of the image, about two bytes per sample).
    jpeg_calc_output_dimensions(&cinfo);
    size_t row_bytes = (size_t)cinfo.output_width * (size_t)cinfo.output_components;
    if (cinfo.output_height == 0 || row_bytes == 0 || row_bytes > STRATA_JPEG_MAX_BYTES / cinfo.output_height) {
        snprintf(message, message_capacity, "image of %u×%u pixels is too large (limit %zu bytes); refused before allocating",
                 cinfo.output_width, cinfo.output_height, STRATA_JPEG_MAX_BYTES);
        jpeg_destroy_decompress(&cinfo);
        return 1;
    }
    // libjpeg's own working memory is bounded too (it fails cleanly past this, having no backing store).
    cinfo.mem->max_memory_to_use = 4 * STRATA_JPEG_MAX_BYTES;
    jpeg_start_decompress(&cinfo);
    buffer = malloc(row_bytes * cinfo.output_height);
    if (buffer == NULL) {
        snprintf(message, message_capacity, "out of memory for %u×%u pixels", cinfo.output_width, cinfo.output_height);
        jpeg_destroy_decompress(&cinfo);
        return 1;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = buffer + (size_t)cinfo.output_scanline * row_bytes;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);

    if (manager.base.num_warnings > 0) {
        // libjpeg pads a truncated file with grey and decodes corrupt data as best it can; refuse both.
        snprintf(message, message_capacity, "corrupt or truncated JPEG data (libjpeg: %s)", manager.warning);
        free(buffer);
        jpeg_destroy_decompress(&cinfo);
        return 1;
    }
    *pixels = buffer;
    *width = (int)cinfo.output_width;
    *height = (int)cinfo.output_height;
    *channels = cinfo.output_components;
    jpeg_destroy_decompress(&cinfo);
    return 0;
}

void strata_image_free(unsigned char *pixels) {
    free(pixels);
}
