package node

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"

	"replab/internal/num"
	"replab/keyspace"
	"replab/rdb"
)

// Conversions between keyspace values and the rdb package's values, in
// both directions, keeping the encodings Redis 7.0 has: a value is written
// in the encoding it has in memory (a hashtable stays a hashtable even when
// it has shrunk below the listpack limits, lists keep their quicklist
// nodes), and a value loaded from a file or a DUMP payload gets the
// encoding Redis's rdbLoadObject would give it.

// rdbSourceFuncs present values of the collection kinds to the encoder.
// Each function returns a Source whose iterators read v's structure while
// the encoder writes it: the caller writes it at once, before v can
// change. The stream type registers its function in its own file.
var rdbSourceFuncs = map[keyspace.Kind]func(v *keyspace.Value) rdb.Source{
	keyspace.KindList: rdbListSource,
	keyspace.KindSet:  rdbSetSource,
	keyspace.KindZSet: rdbZSetSource,
	keyspace.KindHash: rdbHashSource,
}

// rdbValueSource returns the Source of v. scratch holds the text of an
// int-encoded string.
func rdbValueSource(v *keyspace.Value, scratch []byte) (rdb.Source, error) {
	if v.Kind() == keyspace.KindString {
		return rdb.String(v.Bytes(scratch)), nil
	}
	if f := rdbSourceFuncs[v.Kind()]; f != nil {
		return f(v), nil
	}
	return nil, fmt.Errorf("values of type %s cannot be serialized", v.Kind())
}

func rdbListSource(v *keyspace.Value) rdb.Source {
	l := v.AsList()
	return rdb.ListNodesSource{Len: l.Len(), NodeCount: l.Nodes(), Nodes: func(yield func([]byte, bool) bool) {
		l.ForEachNode(func(lp []byte, plain bool) bool {
			if plain {
				// A plain node is written as its bare element.
				var elem []byte
				rdb.WalkListpack(lp, func(e rdb.Elem) error { elem = e.Bytes(); return nil })
				return yield(elem, true)
			}
			return yield(lp, false)
		})
	}}
}

func rdbSetSource(v *keyspace.Value) rdb.Source {
	s := v.AsSet()
	return rdb.SetSource{Len: s.Len(), Hashtable: !s.IsIntset(), Members: func(yield func([]byte) bool) {
		s.ForEach(func(m []byte) bool { return yield(m) })
	}}
}

func rdbZSetSource(v *keyspace.Value) rdb.Source {
	z := v.ZSet()
	// Redis writes a skiplist from its tail (highest score first), which its
	// loader inserts fastest; a listpack is written as it is, ascending.
	rev, from := !z.IsListpack(), 0
	if rev {
		from = z.Len() - 1
	}
	return rdb.ZSetSource{Len: z.Len(), Skiplist: !z.IsListpack(), Members: func(yield func([]byte, float64) bool) {
		z.Walk(from, rev, func(m []byte, s float64) bool { return yield(m, s) })
	}}
}

func rdbHashSource(v *keyspace.Value) rdb.Source {
	h := v.AsHash()
	return rdb.HashSource{Len: h.Len(), Hashtable: !h.IsListpack(), Fields: func(yield func([]byte, []byte) bool) {
		h.ForEach(func(f, val []byte) bool { return yield(f, val) })
	}}
}

// encoderOptions returns the rdb encoder settings of the configuration.
func (n *Node) encoderOptions() rdb.EncoderOptions {
	o := rdb.DefaultEncoderOptions()
	o.Compression = n.cfgBool("rdbcompression")
	o.Checksum = n.cfgBool("rdbchecksum")
	o.ListMaxListpackSize = n.cfg.ListMaxListpackSize
	o.HashMaxListpackEntries = n.cfg.HashMaxListpackEntries
	o.HashMaxListpackValue = n.cfg.HashMaxListpackValue
	o.SetMaxIntsetEntries = n.cfg.SetMaxIntsetEntries
	o.ZSetMaxListpackEntries = n.cfg.ZSetMaxListpackEntries
	o.ZSetMaxListpackValue = n.cfg.ZSetMaxListpackValue
	o.StreamNodeMaxBytes = n.cfg.StreamNodeMaxBytes
	o.StreamNodeMaxEntries = n.cfg.StreamNodeMaxEntries
	return o
}

// cfgBool reads a yes/no directive.
func (n *Node) cfgBool(name string) bool {
	v, _ := n.cfg.Get(name)
	return v == "yes"
}

// errDuplicate is a collection that repeats a member: Redis refuses it on
// load and RESTORE.
var errDuplicate = errors.New("duplicate element")

// rdbLoadFuncs build keyspace values from decoded values of the collection
// kinds; t is the type the value had in the file, which decides the
// encoding as it does in Redis's rdbLoadObject. The stream type registers
// its function in its own file.
var rdbLoadFuncs = map[rdb.Kind]func(n *Node, t rdb.Type, v rdb.Value) (keyspace.Value, error){
	rdb.KindString: loadString,
	rdb.KindList:   loadList,
	rdb.KindSet:    loadSet,
	rdb.KindZSet:   loadZSet,
	rdb.KindHash:   loadHash,
}

// valueFromRDB builds the keyspace value of a decoded value. The decoded
// value's bytes may be taken over.
func (n *Node) valueFromRDB(t rdb.Type, v rdb.Value) (keyspace.Value, error) {
	if s, ok := v.(rdb.String); ok {
		return loadString(n, t, s)
	}
	f := rdbLoadFuncs[v.Kind()]
	if f == nil {
		return keyspace.Value{}, fmt.Errorf("values of type %s are not supported", v.Kind())
	}
	return f(n, t, v)
}

func loadString(_ *Node, _ rdb.Type, v rdb.Value) (keyspace.Value, error) {
	return stringFromRDB(v.(rdb.String)), nil
}

// stringFromRDB makes a string value of b, which it takes over.
func stringFromRDB(b []byte) keyspace.Value {
	// As tryObjectEncoding: int, embstr or raw; the bytes are taken over.
	if len(b) <= 20 && len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9') {
		if i, ok := num.ParseInt(b); ok {
			return keyspace.NewInt(i)
		}
	}
	enc := keyspace.EncRaw
	if len(b) <= keyspace.EmbstrLimit {
		enc = keyspace.EncEmbstr
	}
	return keyspace.NewRawString(b, enc)
}

func loadList(n *Node, _ rdb.Type, v rdb.Value) (keyspace.Value, error) {
	l := keyspace.NewList(n.cfg.ListMaxListpackSize, n.cfg.ListCompressDepth)
	switch v := v.(type) {
	case rdb.ListNodes:
		// Redis keeps the nodes of a QUICKLIST_2 list as they are.
		for _, nd := range v.Nodes {
			if nd.Plain {
				l.Push(nd.Data, false)
				continue
			}
			if err := l.AppendListpack(nd.Data); err != nil {
				return keyspace.Value{}, err
			}
		}
	case rdb.List:
		for _, e := range v {
			l.Push(e, false)
		}
	default:
		return keyspace.Value{}, fmt.Errorf("unexpected list value %T", v)
	}
	if l.Len() == 0 {
		return keyspace.Value{}, errors.New("empty list")
	}
	return keyspace.NewListValue(l), nil
}

func loadSet(n *Node, t rdb.Type, v rdb.Value) (keyspace.Value, error) {
	members := v.(rdb.Set)
	lim := n.setLimits()
	max := lim.MaxIntsetEntries
	if max >= 1<<30 {
		max = 1 << 30
	}
	s := keyspace.NewIntset()
	first := lim
	if len(members) > max {
		// Too many members for an intset: a hashtable from the start.
		first.MaxIntsetEntries = 0
	}
	for i, m := range members {
		l := lim
		if i == 0 {
			l = first
		}
		if !s.AddOwned(m, l) {
			return keyspace.Value{}, errDuplicate
		}
		if i == 0 {
			s.Reserve(len(members))
		}
	}
	return keyspace.NewSetValue(s), nil
}

// listpackType reports whether t is a compact (listpack or ziplist)
// encoding of a hash or sorted set, which Redis keeps compact on load as
// long as the entry count is within the limit, whatever the value lengths.
func listpackType(t rdb.Type) bool {
	switch t {
	case rdb.TypeZSetListpack, rdb.TypeZSetZiplist, rdb.TypeHashListpack, rdb.TypeHashZiplist, rdb.TypeHashZipmap:
		return true
	}
	return false
}

func loadZSet(n *Node, t rdb.Type, v rdb.Value) (keyspace.Value, error) {
	members := v.(rdb.ZSet)
	lim := n.zsetLimits()
	maxLen, total := 0, 0
	for _, m := range members {
		maxLen = max(maxLen, len(m.Member))
		total += len(m.Member)
	}
	if listpackType(t) && len(members) <= lim.MaxEntries {
		lim.MaxValue = math.MaxInt
		maxLen = 0
	}
	if total > 1<<30 {
		maxLen = math.MaxInt // lpSafeToAdd fails: skiplist
	}
	z := keyspace.NewZSet(len(members), maxLen, lim)
	if z.IsListpack() && len(members) <= lim.MaxEntries && zsetSortedUnique(members, &n.persist.loadNames) {
		// A listpack from the file is in order already: append.
		for _, m := range members {
			z.AppendSorted(m.Member, m.Score)
		}
		return keyspace.NewZSetValue(z), nil
	}
	z.Reserve(len(members))
	// Redis writes a skiplist highest first; inserting lowest first
	// appends to the ordered structure instead of shifting it.
	at, step := 0, 1
	if zsetDescending(members) {
		at, step = len(members)-1, -1
	}
	for range members {
		m := members[at]
		at += step
		if math.IsNaN(m.Score) {
			return keyspace.Value{}, errors.New("NaN score")
		}
		if !z.SetOwned(m.Member, m.Score, lim) {
			return keyspace.Value{}, errDuplicate
		}
	}
	return keyspace.NewZSetValue(z), nil
}

// zsetDescending reports whether members are strictly descending by
// (score, member).
func zsetDescending(members rdb.ZSet) bool {
	for i := 1; i < len(members); i++ {
		p, m := members[i-1], members[i]
		if p.Score < m.Score || (p.Score == m.Score && bytes.Compare(p.Member, m.Member) <= 0) {
			return false
		}
	}
	return true
}

// zsetSortedUnique reports whether members are strictly ascending by
// (score, member), none NaN, and no member appears twice; scratch is
// reused for the member list it sorts.
func zsetSortedUnique(members rdb.ZSet, scratch *[][]byte) bool {
	for i, m := range members {
		if math.IsNaN(m.Score) {
			return false
		}
		if i > 0 {
			p := members[i-1]
			if p.Score > m.Score || (p.Score == m.Score && bytes.Compare(p.Member, m.Member) >= 0) {
				return false
			}
		}
	}
	names := (*scratch)[:0]
	for _, m := range members {
		names = append(names, m.Member)
	}
	slices.SortFunc(names, bytes.Compare)
	unique := true
	for i := 1; i < len(names); i++ {
		if bytes.Equal(names[i-1], names[i]) {
			unique = false
			break
		}
	}
	clear(names)
	*scratch = names[:0]
	return unique
}

func loadHash(n *Node, t rdb.Type, v rdb.Value) (keyspace.Value, error) {
	fields := v.(rdb.Hash)
	lim := n.hashLimits()
	if listpackType(t) && len(fields) <= lim.MaxListpackEntries {
		lim.MaxListpackValue = math.MaxInt
	}
	first := lim
	if len(fields) > lim.MaxListpackEntries {
		first.MaxListpackEntries = 0 // a hashtable from the start
	}
	h := keyspace.NewHash()
	for i, f := range fields {
		if f.Expire != 0 {
			return keyspace.Value{}, errors.New("hash field expire times are not supported")
		}
		l := lim
		if i == 0 {
			l = first
		}
		if !h.SetOwned(f.Field, f.Value, l) {
			return keyspace.Value{}, errDuplicate
		}
		if i == 0 {
			h.Reserve(len(fields))
		}
	}
	return keyspace.NewHashValue(h), nil
}
