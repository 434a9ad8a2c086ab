/*
 * version.h - the program's version.
 */
#ifndef HW_VERSION_H
#define HW_VERSION_H

#define HOMEWARD_VERSION "0.1.0"

#endif
