/*
 * log.h - one-line log messages on stderr with a UTC time stamp.
 * Never log personal data: ids and counts only.
 */
#ifndef HW_LOG_H
#define HW_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* 0 silences log_info (the CLI's default); 1 shows it (the server's). */
void log_set_verbose(int on);

#endif
