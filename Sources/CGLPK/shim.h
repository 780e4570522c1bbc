#ifndef LANTAARN_CGLPK_SHIM_H
#define LANTAARN_CGLPK_SHIM_H
#include <glpk.h>
#endif
