/*
 * api.h - the JSON API under /api/v1: the route table and its handlers,
 * thin translations of requests into domain calls.
 */
#ifndef HW_API_H
#define HW_API_H

#include "http/http.h"

/* The route table, terminated by an entry with a NULL method. */
extern const http_route_t api_routes[];

#endif
