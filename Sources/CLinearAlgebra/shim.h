// Debian installs cblas.h under /usr/include/x86_64-linux-gnu/ and lapacke.h
// under /usr/include/, both on clang's default search path.
#include <cblas.h>
#include <lapacke.h>
