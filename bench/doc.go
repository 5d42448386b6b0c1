// Command bench measures replab against a real redis-server on the same
// machine and prints ratios, never bare numbers alone: the machines this
// runs on are shared and noisy, so each figure is the median of several
// rounds in which the two servers are measured alternately.
//
//	go run ./bench [-rounds 3] [-n 200000] [-c 50] [-rows throughput]
//
// Rows: throughput (strings), types-memory (RSS and used_memory of
// DEBUG POPULATE and of one hash, set and sorted set of -types-n elements)
// and types-throughput (LPUSH, LPOP, SADD, HSET, ZADD through
// redis-benchmark at -P 1).
//
// It needs redis-server and redis-benchmark on PATH and a built bin/replab
// (make bench builds it).
package main
