/*
 * uuid.h - random (version 4) UUIDs for records, through libuuid.
 */
#ifndef HW_UUID_H
#define HW_UUID_H

#define UUID_STR 37 /* 36 characters and a NUL */

/* Write a new random UUID in lower case into out. */
void hw_uuid_new(char *out);
/* 1 when s is a well-formed UUID in any case. */
int hw_uuid_valid(const char *s);

#endif
