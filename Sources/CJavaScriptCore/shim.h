#ifndef LANTAARN_CJAVASCRIPTCORE_SHIM_H
#define LANTAARN_CJAVASCRIPTCORE_SHIM_H
#include <JavaScriptCore/JavaScript.h>
#endif
