// libpng-dev (Debian 12) installs png.h under /usr/include and both libpng16.so and
// libpng.so; link the versioned name so a libpng12 leftover can never be picked up.
#include <png.h>

// Composite format macros (OR of other macros) are not always imported into Swift.
static const unsigned int cpng_format_rgba = PNG_FORMAT_RGBA;
static const unsigned int cpng_image_version = PNG_IMAGE_VERSION;
