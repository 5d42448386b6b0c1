// Package dataset generates the datasets that benchmarks share, as the
// commands that write them, so that the benchmark against Redis (package
// bench) and the Go benchmarks of a package measure the same data.
package dataset

import (
	"iter"
	"strconv"
	"strings"
)

// Mixed yields the commands that write the mixed dataset: 300k strings
// (ints, short, 200-byte), 5000 each of lists (100 elements), hashes (20
// fields, listpack; every 10th with 1000 fields), sets (50 ints, intset;
// every 10th also with 1000 strings) and sorted sets (50 members; every
// 10th with 1000), 10% of the strings with an expire time. The yielded
// slice is the caller's to keep.
func Mixed() iter.Seq[[]string] {
	return func(yield func([]string) bool) {
		for i := 0; i < 300000; i++ {
			k := "str:" + strconv.Itoa(i)
			var v string
			switch i % 3 {
			case 0:
				v = strconv.Itoa(i * 7)
			case 1:
				v = "short value " + strconv.Itoa(i)
			default:
				v = strings.Repeat("payload ", 25) + strconv.Itoa(i)
			}
			if !yield([]string{"SET", k, v}) {
				return
			}
			if i%10 == 0 && !yield([]string{"EXPIRE", k, "100000"}) {
				return
			}
		}
		for i := 0; i < 5000; i++ {
			n := strconv.Itoa(i)
			big := i%10 == 0
			list := []string{"RPUSH", "list:" + n}
			for j := 0; j < 100; j++ {
				list = append(list, "element "+strconv.Itoa(j))
			}
			hash := []string{"HSET", "hash:" + n}
			for j := 0; j < pick(big, 1000, 20); j++ {
				hash = append(hash, "field"+strconv.Itoa(j), "value"+strconv.Itoa(j*i))
			}
			set := []string{"SADD", "set:" + n}
			for j := 0; j < 50; j++ {
				set = append(set, strconv.Itoa(j*1000+i))
			}
			if big {
				for j := 0; j < 1000; j++ {
					set = append(set, "member"+strconv.Itoa(j))
				}
			}
			zset := []string{"ZADD", "zset:" + n}
			for j := 0; j < pick(big, 1000, 50); j++ {
				zset = append(zset, strconv.Itoa(j*i%977), "m"+strconv.Itoa(j))
			}
			for _, cmd := range [][]string{list, hash, set, zset} {
				if !yield(cmd) {
					return
				}
			}
		}
	}
}

func pick(cond bool, a, b int) int {
	if cond {
		return a
	}
	return b
}
