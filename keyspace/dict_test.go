package keyspace

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDictBasics(t *testing.T) {
	d := NewDict[int](1)
	for i := 0; i < 1000; i++ {
		assert.True(t, d.Set(fmt.Sprint("k", i), i))
	}
	assert.False(t, d.Set("k5", 55))
	assert.Equal(t, 1000, d.Len())
	for i := 0; i < 1000; i++ {
		v, ok := d.Get(fmt.Sprint("k", i))
		require.True(t, ok)
		if i == 5 {
			assert.Equal(t, 55, v)
		} else {
			assert.Equal(t, i, v)
		}
	}
	_, ok := d.Get("missing")
	assert.False(t, ok)
	for i := 0; i < 1000; i += 2 {
		_, ok := d.Delete(fmt.Sprint("k", i))
		assert.True(t, ok)
	}
	assert.Equal(t, 500, d.Len())
	_, ok = d.Delete("k0")
	assert.False(t, ok)
	// Finish rehashing and shrink: contents must survive.
	for d.Rehash(100) {
	}
	for i := 0; i < 1000; i += 2 {
		d.Delete(fmt.Sprint("k", i+1))
	}
	assert.Equal(t, 0, d.Len())
	for d.ShrinkIfNeeded() || d.Rehash(100) {
	}
	assert.LessOrEqual(t, d.Buckets(), 8)
}

// The key passed to Set must be copied: the caller may reuse its buffer.
func TestDictCopiesKeys(t *testing.T) {
	d := NewDict[int](1)
	buf := []byte("abc")
	d.Set(unsafeString(buf), 1)
	copy(buf, "xyz")
	_, ok := d.Get("abc")
	assert.True(t, ok)
	assert.Nil(t, d.Find("xyz"))
}

// scanAll runs a complete SCAN, applying mutate between the steps, and
// returns the keys seen.
func scanAll(d *Dict[int], mutate func(step int)) map[string]int {
	seen := map[string]int{}
	cursor := uint64(0)
	for step := 0; ; step++ {
		cursor = d.Scan(cursor, func(k string, _ *int) { seen[k]++ })
		if cursor == 0 {
			return seen
		}
		mutate(step)
	}
}

// TestScanGuarantee is the property SCAN promises: every element present for
// the whole scan is returned, while the table grows, shrinks and rehashes
// between the calls.
func TestScanGuarantee(t *testing.T) {
	for seed := uint64(0); seed < 30; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		d := NewDict[int](seed)
		stable := map[string]bool{}
		n := 1 + rng.IntN(3000)
		for i := 0; i < n; i++ {
			k := fmt.Sprint("stable", i)
			d.Set(k, i)
			stable[k] = true
		}
		next := 0
		var volatile []string
		grow := rng.IntN(2) == 0
		seen := scanAll(d, func(step int) {
			// Add or remove other keys so the table resizes mid-scan
			// (for a while: a scan of a table that grows forever never ends).
			if step > 300 {
				return
			}
			for j := 0; j < 1+rng.IntN(200); j++ {
				if grow || len(volatile) == 0 {
					k := fmt.Sprint("v", next)
					next++
					d.Set(k, 0)
					volatile = append(volatile, k)
				} else {
					d.Delete(volatile[len(volatile)-1])
					volatile = volatile[:len(volatile)-1]
				}
			}
			if rng.IntN(5) == 0 {
				d.ShrinkIfNeeded()
			}
			if rng.IntN(3) == 0 {
				grow = !grow
			}
		})
		for k := range stable {
			if seen[k] == 0 {
				t.Fatalf("seed %d: %s was not returned", seed, k)
			}
		}
	}
}

func TestScanWhileShrinking(t *testing.T) {
	d := NewDict[int](3)
	for i := 0; i < 5000; i++ {
		d.Set(fmt.Sprint("x", i), i)
	}
	for i := 0; i < 100; i++ {
		d.Set(fmt.Sprint("keep", i), i)
	}
	i := 0
	seen := scanAll(d, func(int) {
		for j := 0; j < 300 && i < 5000; j++ {
			d.Delete(fmt.Sprint("x", i))
			i++
		}
		d.ShrinkIfNeeded()
	})
	for j := 0; j < 100; j++ {
		require.Contains(t, seen, fmt.Sprint("keep", j))
	}
}

func TestDictDeterministic(t *testing.T) {
	order := func(seed uint64) []string {
		d := NewDict[int](seed)
		for i := 0; i < 100; i++ {
			d.Set(fmt.Sprint(i), i)
		}
		var keys []string
		d.ForEach(func(k string, _ *int) bool { keys = append(keys, k); return true })
		return keys
	}
	assert.Equal(t, order(42), order(42))
	assert.NotEqual(t, order(42), order(43))
}

func TestDictRandom(t *testing.T) {
	d := NewDict[int](9)
	for i := 0; i < 10; i++ {
		d.Set(fmt.Sprint(i), i)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	counts := map[string]int{}
	for i := 0; i < 10000; i++ {
		k, v, ok := d.Random(rng.IntN)
		require.True(t, ok)
		assert.Equal(t, k, fmt.Sprint(*v))
		counts[k]++
	}
	assert.Len(t, counts, 10)
}

func TestHashSpread(t *testing.T) {
	// Keys that differ in one byte at any position land in different
	// buckets of a 1024-bucket table often enough.
	buckets := map[uint64]int{}
	for i := 0; i < 4096; i++ {
		buckets[Hash(5, fmt.Sprintf("key:%d", i))&1023]++
	}
	assert.Greater(t, len(buckets), 900)
	for _, n := range []int{0, 1, 3, 4, 7, 8, 15, 16, 17, 31, 64, 100} {
		s := make([]byte, n)
		h0 := Hash(1, string(s))
		for i := range s {
			s[i] ^= 1
			assert.NotEqual(t, h0, Hash(1, string(s)), "len %d flip %d", n, i)
			s[i] ^= 1
		}
	}
}

func BenchmarkDictFind(b *testing.B) {
	d := NewDict[Value](1)
	keys := make([][]byte, 100000)
	for i := range keys {
		keys[i] = []byte(fmt.Sprintf("key:%d", i))
		d.Set(string(keys[i]), NewInt(int64(i)))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if d.FindBytes(keys[i%len(keys)]) == nil {
			b.Fatal("missing")
		}
	}
}
