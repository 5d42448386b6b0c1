package dataset

import "testing"

func TestMixedShape(t *testing.T) {
	counts := map[string]int{}
	args := 0
	for cmd := range Mixed() {
		counts[cmd[0]]++
		args += len(cmd)
	}
	want := map[string]int{"SET": 300000, "EXPIRE": 30000, "RPUSH": 5000, "HSET": 5000, "SADD": 5000, "ZADD": 5000}
	for name, n := range want {
		if counts[name] != n {
			t.Errorf("%s: %d commands, want %d", name, counts[name], n)
		}
	}
	// Strings and expires, then per index: a list of 100, a hash of 20 or
	// 1000 fields, a set of 50 or 1050 members, a sorted set of 50 or 1000.
	wantArgs := 300000*3 + 30000*3 + 5000*(2+100) +
		4500*(2+40+2+50+2+100) + 500*(2+2000+2+1050+2+2000)
	if args != wantArgs {
		t.Errorf("%d arguments, want %d", args, wantArgs)
	}
}
