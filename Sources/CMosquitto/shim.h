#ifndef LANTAARN_CMOSQUITTO_SHIM_H
#define LANTAARN_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
#endif
