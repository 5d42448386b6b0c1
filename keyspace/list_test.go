package keyspace

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"replab/internal/listpack"
)

// listContents returns the elements of l, head first.
func listContents(l *List) [][]byte {
	var out [][]byte
	l.Iterate(0, false, func(e []byte) bool {
		out = append(out, append([]byte(nil), e...))
		return true
	})
	return out
}

// checkList verifies the structural invariants of l and that it holds
// model, in both directions.
func checkList(t *testing.T, l *List, model [][]byte, step string) {
	t.Helper()
	require.Equal(t, len(model), l.Len(), step)
	nodes, count := 0, 0
	var prev *listNode
	for n := l.head; n != nil; n = n.next {
		got, err := listpack.Validate(n.lp)
		ok := err == nil
		if n.prev != prev || !ok || int(n.count) != got || n.count == 0 || (n.plain && n.count != 1) {
			t.Fatalf("%s: bad node %d (valid %v, count %d, decoded %d, plain %v)", step, nodes, ok, n.count, got, n.plain)
		}
		nodes++
		count += int(n.count)
		prev = n
	}
	require.Same(t, prev, l.tail, step)
	require.Equal(t, nodes, l.Nodes(), step)
	require.Equal(t, count, l.Len(), step)
	i := 0
	l.Iterate(0, false, func(e []byte) bool {
		if i >= len(model) || !bytes.Equal(model[i], e) {
			t.Fatalf("%s: element %d is %.40q", step, i, e)
		}
		i++
		return true
	})
	require.Equal(t, len(model), i, step)
	if len(model) > 0 {
		i = len(model) - 1
		l.Iterate(len(model)-1, true, func(e []byte) bool {
			if i < 0 || !bytes.Equal(model[i], e) {
				t.Fatalf("%s: reverse element %d is %.40q", step, i, e)
			}
			i--
			return true
		})
		require.Equal(t, -1, i, step)
	}
}

func TestListValidateRefusesCorruption(t *testing.T) {
	l := NewList(-2, 0)
	for _, e := range []string{"a", "12", "hello world", "-70000"} {
		l.Push([]byte(e), false)
	}
	good := append([]byte(nil), l.head.lp...)
	_, err := listpack.Validate(good)
	require.NoError(t, err)
	for i := 0; i < len(good); i++ {
		for _, b := range []byte{0x00, 0x7F, 0x80, 0xBF, 0xC0, 0xE0, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF} {
			bad := append([]byte(nil), good...)
			bad[i] = b
			// Must not panic; a changed listpack is either refused or still
			// decodes entirely.
			if cnt, err := listpack.Validate(bad); err == nil {
				c := &List{fill: -2}
				require.NoError(t, c.AppendListpack(bad))
				assert.Equal(t, cnt, len(listContents(c)))
			}
		}
	}
	for n := 0; n < len(good); n++ {
		assert.ErrorIs(t, l.AppendListpack(good[:n]), ErrBadListpack, n)
	}
	assert.Error(t, l.AppendListpack([]byte{1, 2, 3}))
}

func TestListPushPopAndLayout(t *testing.T) {
	// With fill 4 every node holds at most 4 elements.
	l := NewList(4, 0)
	for i := 0; i < 10; i++ {
		l.Push([]byte(strconv.Itoa(i)), false)
	}
	assert.Equal(t, 3, l.Nodes())
	var sizes []int32
	for n := l.head; n != nil; n = n.next {
		sizes = append(sizes, n.count)
	}
	assert.Equal(t, []int32{4, 4, 2}, sizes)
	v, ok := l.Pop(true, nil)
	assert.True(t, ok)
	assert.Equal(t, "0", string(v))
	v, ok = l.Pop(false, v[:0])
	assert.True(t, ok)
	assert.Equal(t, "9", string(v))
	e, ok := l.Index(-1, nil)
	assert.True(t, ok)
	assert.Equal(t, "8", string(e))
	_, ok = l.Index(8, nil)
	assert.False(t, ok)
	_, ok = l.Index(-9, nil)
	assert.False(t, ok)
	for l.Len() > 0 {
		l.Pop(true, nil)
	}
	assert.Equal(t, 0, l.Nodes())
	_, ok = l.Pop(true, nil)
	assert.False(t, ok)

	// The default fill (-2) is an 8 KB byte limit.
	l = NewList(-2, 0)
	elem := bytes.Repeat([]byte{'v'}, 100)
	for i := 0; i < 1000; i++ {
		l.Push(elem, i%2 == 0)
	}
	for n := l.head; n != nil; n = n.next {
		assert.LessOrEqual(t, len(n.lp), 8192)
	}
	assert.Equal(t, 13, l.Nodes())
}

func TestListClampsOptions(t *testing.T) {
	l := NewList(-100, -3)
	assert.Equal(t, -5, l.Fill())
	assert.Equal(t, 0, l.CompressDepth())
	l = NewList(1<<20, 1<<20)
	assert.Equal(t, 32767, l.Fill())
	assert.Equal(t, 65535, l.CompressDepth())
}

func TestListValue(t *testing.T) {
	l := NewList(-2, 0)
	l.Push([]byte("a"), false)
	v := NewListValue(l)
	assert.Equal(t, KindList, v.Kind())
	assert.Same(t, l, v.AsList())
	assert.Equal(t, "quicklist", EncodingName(&v))
	cp := v.Dup()
	cp.AsList().Push([]byte("b"), false)
	assert.Equal(t, 1, l.Len())
	assert.Equal(t, 2, cp.AsList().Len())
	s := NewString([]byte("x"))
	assert.Nil(t, s.AsList())
}

// randomElem draws elements of every encoding: small and large integers,
// non-canonical numbers, short, medium and long strings.
func randomElem(r *rand.Rand, pool [][]byte) []byte {
	switch r.IntN(10) {
	case 0:
		return []byte(strconv.Itoa(r.IntN(200) - 100))
	case 1:
		return []byte(strconv.FormatInt(r.Int64N(math.MaxInt64)-r.Int64N(math.MaxInt64), 10))
	case 2:
		return []byte(fmt.Sprintf("0%d", r.IntN(100)))
	case 3:
		return bytes.Repeat([]byte{byte('a' + r.IntN(3))}, 60+r.IntN(200))
	case 4:
		if r.IntN(20) == 0 {
			return bytes.Repeat([]byte{'L'}, 4000+r.IntN(6000))
		}
		return []byte("e" + strconv.Itoa(r.IntN(30)))
	case 5, 6:
		if len(pool) > 0 {
			return pool[r.IntN(len(pool))]
		}
	}
	return []byte("s" + strconv.Itoa(r.IntN(10)))
}

func TestListRandomOpsAgainstModel(t *testing.T) {
	for _, fill := range []int{-1, -2, -5, 1, 2, 3, 5, 16} {
		for seed := uint64(1); seed <= 4; seed++ {
			t.Run(fmt.Sprintf("fill%d/seed%d", fill, seed), func(t *testing.T) {
				runListModel(t, fill, seed, 1500)
			})
		}
	}
}

func runListModel(t *testing.T, fill int, seed uint64, steps int) {
	r := rand.New(rand.NewPCG(seed, uint64(fill+100)))
	l := NewList(fill, 0)
	var model [][]byte
	for step := 0; step < steps; step++ {
		var desc string
		switch op := r.IntN(14); op {
		case 0, 1, 2:
			e := randomElem(r, model)
			head := r.IntN(2) == 0
			l.Push(e, head)
			if head {
				model = append([][]byte{append([]byte(nil), e...)}, model...)
			} else {
				model = append(model, append([]byte(nil), e...))
			}
			desc = fmt.Sprintf("push %q head=%v", e, head)
		case 3:
			head := r.IntN(2) == 0
			v, ok := l.Pop(head, nil)
			require.Equal(t, len(model) > 0, ok)
			if ok {
				if head {
					require.Equal(t, string(model[0]), string(v))
					model = model[1:]
				} else {
					require.Equal(t, string(model[len(model)-1]), string(v))
					model = model[:len(model)-1]
				}
			}
			desc = "pop"
		case 4:
			i := r.IntN(len(model)+4) - 2
			if r.IntN(2) == 0 {
				i = -i
			}
			v, ok := l.Index(i, nil)
			j := i
			if j < 0 {
				j += len(model)
			}
			require.Equal(t, j >= 0 && j < len(model), ok, "index %d", i)
			if ok {
				require.Equal(t, string(model[j]), string(v))
			}
			desc = "index"
		case 5:
			i := r.IntN(len(model)+2) - 1
			e := randomElem(r, model)
			ok := l.Set(i, e)
			j := i
			if j < 0 {
				j += len(model)
			}
			require.Equal(t, j >= 0 && j < len(model), ok)
			if ok {
				model[j] = append([]byte(nil), e...)
			}
			desc = fmt.Sprintf("set %d %q", i, e)
		case 6, 7:
			pivot := randomElem(r, model)
			e := randomElem(r, model)
			after := r.IntN(2) == 0
			ok := l.Insert(pivot, e, after)
			idx := -1
			for k, m := range model {
				if bytes.Equal(m, pivot) {
					idx = k
					break
				}
			}
			require.Equal(t, idx >= 0, ok)
			if ok {
				if after {
					idx++
				}
				model = append(model[:idx], append([][]byte{append([]byte(nil), e...)}, model[idx:]...)...)
			}
			desc = fmt.Sprintf("insert %q after=%v pivot=%q", e, after, pivot)
		case 8:
			e := randomElem(r, model)
			count := r.IntN(7) - 3
			got := l.Remove(e, count)
			want := 0
			var kept [][]byte
			if count >= 0 {
				for _, m := range model {
					if bytes.Equal(m, e) && (count == 0 || want < count) {
						want++
						continue
					}
					kept = append(kept, m)
				}
			} else {
				drop := map[int]bool{}
				for k := len(model) - 1; k >= 0 && want < -count; k-- {
					if bytes.Equal(model[k], e) {
						drop[k] = true
						want++
					}
				}
				for k, m := range model {
					if !drop[k] {
						kept = append(kept, m)
					}
				}
			}
			require.Equal(t, want, got)
			model = kept
			desc = fmt.Sprintf("remove %q %d", e, count)
		case 9:
			if len(model) == 0 {
				continue
			}
			start := r.IntN(len(model))
			count := r.IntN(len(model)-start) + 1
			if r.IntN(3) == 0 {
				count = r.IntN(3)
			}
			l.DeleteRange(start, count)
			if start+count > len(model) {
				count = len(model) - start
			}
			model = append(model[:start], model[start+count:]...)
			desc = fmt.Sprintf("delrange %d %d", start, count)
		case 10:
			e := randomElem(r, model)
			fromTail := r.IntN(2) == 0
			maxScan := r.IntN(3) * r.IntN(len(model)+1)
			var got []int
			l.Find(e, fromTail, maxScan, func(idx int) bool {
				got = append(got, idx)
				return true
			})
			var want []int
			for k := 0; k < len(model); k++ {
				idx := k
				if fromTail {
					idx = len(model) - 1 - k
				}
				if maxScan != 0 && k >= maxScan {
					break
				}
				if bytes.Equal(model[idx], e) {
					want = append(want, idx)
				}
			}
			require.Equal(t, want, got)
			desc = "find"
		case 11:
			if len(model) == 0 {
				continue
			}
			start := r.IntN(len(model))
			reverse := r.IntN(2) == 0
			limit := r.IntN(50) + 1
			var got []string
			l.Iterate(start, reverse, func(e []byte) bool {
				got = append(got, string(e))
				return len(got) < limit
			})
			var want []string
			for k := start; k >= 0 && k < len(model) && len(want) < limit; {
				want = append(want, string(model[k]))
				if reverse {
					k--
				} else {
					k++
				}
			}
			require.Equal(t, want, got)
			desc = "iterate"
		case 12:
			cp := l.Dup()
			checkList(t, cp, model, "dup")
			require.Equal(t, l.Nodes(), cp.Nodes())
			require.Equal(t, l.PackedSize(), cp.PackedSize())
			desc = "dup"
		case 13:
			// Rebuild from the node listpacks, as an RDB load would.
			cp := &List{fill: l.fill}
			l.ForEachNode(func(lp []byte, plain bool) bool {
				require.NoError(t, cp.AppendListpack(append([]byte(nil), lp...)))
				return true
			})
			checkList(t, cp, model, "append listpacks")
			desc = "rebuild"
		}
		checkList(t, l, model, fmt.Sprintf("step %d: %s", step, desc))
		if fill < 0 {
			// Nodes built by pushes stay within the size limit unless a
			// single element (or an LSET) exceeds it.
			for n := l.head; n != nil; n = n.next {
				if n.count > 1 && len(n.lp) > qlOptimizationLevel[-fill-1]+2*10000 {
					t.Fatalf("step %d: node of %d bytes", step, len(n.lp))
				}
			}
		}
	}
}

func TestListPlainNodes(t *testing.T) {
	// Not parallel: lowers the package-level threshold.
	old := qlPackedThreshold
	qlPackedThreshold = 50
	defer func() { qlPackedThreshold = old }()
	for seed := uint64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { runListModel(t, -2, seed, 800) })
	}
	l := NewList(-2, 0)
	big := bytes.Repeat([]byte{'p'}, 60)
	l.Push([]byte("a"), false)
	l.Push(big, false)
	l.Push([]byte("b"), false)
	assert.Equal(t, 3, l.Nodes())
	assert.True(t, l.head.next.plain)
	// A plain node reports the element size.
	assert.Equal(t, len(l.head.lp)+60+len(l.tail.lp), l.PackedSize())
	// Replacing the plain element with a small one drops the plain node;
	// the element joins the head of the next node, as in Redis.
	require.True(t, l.Set(1, []byte("c")))
	checkList(t, l, [][]byte{[]byte("a"), []byte("c"), []byte("b")}, "set")
	assert.Equal(t, 2, l.Nodes())
	assert.Equal(t, int32(2), l.tail.count)
}

func TestListInsertSplitsAndMerges(t *testing.T) {
	// fill 2: inserting into the middle of a full node splits it; the
	// halves are too full to merge with their neighbours.
	l := NewList(2, 0)
	for _, e := range []string{"a", "b", "c", "d"} {
		l.Push([]byte(e), false)
	}
	require.Equal(t, 2, l.Nodes())
	require.True(t, l.Insert([]byte("a"), []byte("x"), true))
	checkList(t, l, [][]byte{[]byte("a"), []byte("x"), []byte("b"), []byte("c"), []byte("d")}, "insert")
	var counts []int32
	for n := l.head; n != nil; n = n.next {
		counts = append(counts, n.count)
	}
	assert.Equal(t, []int32{1, 2, 2}, counts)
	assert.False(t, l.Insert([]byte("zz"), []byte("y"), false))
}
