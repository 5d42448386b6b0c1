package rdb

import (
	"math"
	"strconv"
	"unsafe"
)

// ebExpireTimeMax is the greatest hash field expire time Redis 7.4 accepts
// (EB_EXPIRE_TIME_MAX, 2^48-1 ms).
const ebExpireTimeMax = 1<<48 - 1

// valueDecoder decodes one value from the reader.
type valueDecoder struct {
	r          *reader
	noDupCheck bool
	listNodes  bool   // QUICKLIST_2 lists as ListNodes
	pair       []byte // scratch of readFieldValue

	// With reuse (DecoderOptions.ReuseContainers), the containers of the
	// last values returned, handed out again.
	reuse bool
	list  List
	set   Set
	zset  ZSet
	hash  Hash
}

// container returns an empty slice with room for n elements: with reuse,
// the one kept from the previous value (its elements cleared, so that it
// holds on to nothing), or a bigger one; else a new slice.
func container[S ~[]E, E any](reuse bool, last *S, n int) S {
	if !reuse {
		return make(S, 0, n)
	}
	clear(*last)
	if cap(*last) < n {
		*last = make(S, 0, n)
	}
	return (*last)[:0]
}

// keep records the container s of the value being returned, for the next
// value (with reuse).
func keep[S ~[]E, E any](reuse bool, last *S, s S) {
	if reuse {
		*last = s
	}
}

// readFieldValue reads two strings (a hash field and its value) into one
// new allocation: the value follows the field, within the field's
// capacity (see HashField).
func (d *valueDecoder) readFieldValue() (field, value []byte, err error) {
	pair, err := d.r.appendString(d.pair[:0])
	if err != nil {
		return nil, nil, err
	}
	lf := len(pair)
	if pair, err = d.r.appendString(pair); err != nil {
		return nil, nil, err
	}
	buf := make([]byte, len(pair))
	copy(buf, pair)
	if cap(pair) <= 64<<10 {
		d.pair = pair[:0]
	}
	return buf[:lf], buf[lf:], nil
}

// dupSet detects repeated members of a collection.
type dupSet struct {
	m map[string]struct{}
}

func (d *valueDecoder) newDupSet(hint uint64) *dupSet {
	if d.noDupCheck {
		return nil
	}
	if hint > 1024 {
		hint = 1024
	}
	return &dupSet{m: make(map[string]struct{}, hint)}
}

// add records b and reports whether it was new. The bytes must not change
// while the set is in use.
func (s *dupSet) add(b []byte) bool {
	if s == nil {
		return true
	}
	k := ""
	if len(b) > 0 {
		k = unsafe.String(&b[0], len(b))
	}
	if _, ok := s.m[k]; ok {
		return false
	}
	s.m[k] = struct{}{}
	return true
}

func capHint(n uint64) int {
	if n > 1024 {
		return 1024
	}
	return int(n)
}

var errEmpty = &causeError{msg: "empty collection", cause: ErrEmptyKey}

// decode reads a value of type t.
func (d *valueDecoder) decode(t Type) (Value, error) {
	r := d.r
	switch t {
	case TypeString:
		s, err := r.readString()
		if err != nil {
			return nil, err
		}
		return String(s), nil

	case TypeList:
		n, err := r.readPlainLen()
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, errEmpty
		}
		l := container(d.reuse, &d.list, capHint(n))
		for i := uint64(0); i < n; i++ {
			s, err := r.readString()
			if err != nil {
				return nil, err
			}
			l = append(l, s)
		}
		keep(d.reuse, &d.list, l)
		return l, nil

	case TypeSet:
		n, err := r.readPlainLen()
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, errEmpty
		}
		s := container(d.reuse, &d.set, capHint(n))
		dups := d.newDupSet(n)
		for i := uint64(0); i < n; i++ {
			m, err := r.readString()
			if err != nil {
				return nil, err
			}
			if !dups.add(m) {
				return nil, corruptf("duplicate set member %q", truncateForMsg(m))
			}
			s = append(s, m)
		}
		keep(d.reuse, &d.set, s)
		return s, nil

	case TypeZSet, TypeZSet2:
		n, err := r.readPlainLen()
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, errEmpty
		}
		z := container(d.reuse, &d.zset, capHint(n))
		dups := d.newDupSet(n)
		for i := uint64(0); i < n; i++ {
			m, err := r.readString()
			if err != nil {
				return nil, err
			}
			var score float64
			if t == TypeZSet2 {
				score, err = r.readBinaryDouble()
			} else {
				score, err = r.readTextDouble()
			}
			if err != nil {
				return nil, err
			}
			if math.IsNaN(score) {
				return nil, corruptf("NaN score for member %q", truncateForMsg(m))
			}
			if !dups.add(m) {
				return nil, corruptf("duplicate sorted set member %q", truncateForMsg(m))
			}
			z = append(z, ZMember{Member: m, Score: score})
		}
		keep(d.reuse, &d.zset, z)
		return z, nil

	case TypeHash, TypeHashMetadata, TypeHashMetadataPreGA:
		minExpire := int64(0)
		if t == TypeHashMetadata {
			v, err := r.readMillis()
			if err != nil {
				return nil, err
			}
			if uint64(v) > ebExpireTimeMax+1 {
				return nil, corruptf("invalid hash minimum field expire time %d", v)
			}
			minExpire = v
		}
		n, err := r.readPlainLen()
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, errEmpty
		}
		h := container(d.reuse, &d.hash, capHint(n))
		dups := d.newDupSet(n)
		for i := uint64(0); i < n; i++ {
			var expire int64
			if t != TypeHash {
				ttl, err := r.readPlainLen()
				if err != nil {
					return nil, err
				}
				at := ttl
				if t == TypeHashMetadata && ttl != 0 {
					at = ttl + uint64(minExpire) - 1
				}
				if at > ebExpireTimeMax {
					return nil, corruptf("invalid hash field expire time %d", at)
				}
				expire = int64(at)
			}
			f, v, err := d.readFieldValue()
			if err != nil {
				return nil, err
			}
			if !dups.add(f) {
				return nil, corruptf("duplicate hash field %q", truncateForMsg(f))
			}
			h = append(h, HashField{Field: f, Value: v, Expire: expire})
		}
		keep(d.reuse, &d.hash, h)
		return h, nil

	case TypeListQuicklist, TypeListQuicklist2:
		n, err := r.readPlainLen()
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, errEmpty
		}
		if t == TypeListQuicklist2 && d.listNodes {
			return d.decodeListNodes(n)
		}
		var l List
		for i := uint64(0); i < n; i++ {
			container := uint64(quicklistPacked)
			if t == TypeListQuicklist2 {
				container, err = r.readPlainLen()
				if err != nil {
					return nil, err
				}
				if container != quicklistPacked && container != quicklistPlain {
					return nil, corruptf("unknown quicklist node container %d", container)
				}
			}
			data, err := r.readString()
			if err != nil {
				return nil, err
			}
			if len(data) == 0 {
				return nil, corruptf("empty quicklist node")
			}
			if container == quicklistPlain {
				l = append(l, data)
				continue
			}
			walk := WalkListpack
			if t == TypeListQuicklist {
				walk = WalkZiplist
			}
			if _, err := walk(data, func(e Elem) error {
				l = append(l, blobElem(e))
				return nil
			}); err != nil {
				return nil, err
			}
		}
		if len(l) == 0 {
			return nil, errEmpty
		}
		return l, nil

	case TypeHashZipmap, TypeListZiplist, TypeSetIntset, TypeZSetZiplist, TypeHashZiplist,
		TypeHashListpack, TypeZSetListpack, TypeSetListpack, TypeHashListpackEx, TypeHashListpackExPreGA:
		if t == TypeHashListpackEx {
			if _, err := r.readMillis(); err != nil { // minimum field expire time, informative
				return nil, err
			}
		}
		blob, err := r.readString()
		if err != nil {
			return nil, err
		}
		return d.decodeBlob(t, blob)

	case TypeStreamListpacks, TypeStreamListpacks2, TypeStreamListpacks3:
		return d.decodeStream(t)

	case TypeModule, TypeModule2:
		id, err := r.readPlainLen()
		if err != nil {
			return nil, unsupportedf("module value (type %d) is not supported", t)
		}
		return nil, unsupportedf("module value (type %d) of module type '%s' is not supported", t, moduleTypeName(id))
	}
	return nil, unsupportedf("unknown value type %d", t)
}

// blobElem returns the string form of an element of a blob the decoder
// read (and so owns, and hands over with the value): a string element
// aliases the blob, capped at its length; an integer is formatted into a
// new slice.
func blobElem(e Elem) []byte {
	if e.IsInt {
		return formatInt(e.Int)
	}
	return e.Str[:len(e.Str):len(e.Str)]
}

// blobCount returns the element count a listpack or ziplist blob of type t
// announces in its header, as a capacity hint: 0 when unknown, never more
// than the blob could hold (an element takes at least two bytes).
func blobCount(t Type, blob []byte) int {
	at := 4 // listpack: total bytes (4), element count (2)
	switch t {
	case TypeListZiplist, TypeZSetZiplist, TypeHashZiplist:
		at = 8 // ziplist: total bytes (4), tail offset (4), element count (2)
	}
	if len(blob) < at+2 {
		return 0
	}
	n := int(blob[at]) | int(blob[at+1])<<8
	if n == 0xFFFF {
		return 0
	}
	return min(n, len(blob)/2)
}

// decodeBlob decodes the single-string encodings (zipmap, ziplist, intset,
// listpack).
func (d *valueDecoder) decodeBlob(t Type, blob []byte) (Value, error) {
	switch t {
	case TypeHashZipmap:
		var h Hash
		dups := d.newDupSet(0)
		if dups == nil { // Redis always checks zipmaps for duplicates
			dups = &dupSet{m: map[string]struct{}{}}
		}
		_, err := WalkZipmap(blob, func(f, v []byte) error {
			fb := append([]byte(nil), f...)
			if !dups.add(fb) {
				return corruptf("duplicate hash field %q in zipmap", truncateForMsg(f))
			}
			h = append(h, HashField{Field: fb, Value: append([]byte(nil), v...)})
			return nil
		})
		if err != nil {
			return nil, err
		}
		return h, nil

	case TypeListZiplist:
		l := container(d.reuse, &d.list, blobCount(t, blob))
		if _, err := WalkZiplist(blob, func(e Elem) error {
			l = append(l, blobElem(e))
			return nil
		}); err != nil {
			return nil, err
		}
		if len(l) == 0 {
			return nil, errEmpty
		}
		keep(d.reuse, &d.list, l)
		return l, nil

	case TypeSetIntset:
		ints, err := ParseIntset(blob)
		if err != nil {
			return nil, err
		}
		// The members' decimal forms share one allocation (each capped
		// at its length).
		size := 0
		var tmp [20]byte
		for _, v := range ints {
			size += len(strconv.AppendInt(tmp[:0], v, 10))
		}
		buf := make([]byte, 0, size)
		s := make(Set, len(ints))
		for i, v := range ints {
			at := len(buf)
			buf = strconv.AppendInt(buf, v, 10)
			s[i] = buf[at:len(buf):len(buf)]
		}
		return s, nil

	case TypeSetListpack:
		s := container(d.reuse, &d.set, blobCount(t, blob))
		dups := d.newDupSet(0)
		if _, err := WalkListpack(blob, func(e Elem) error {
			b := blobElem(e)
			if !dups.add(b) {
				return corruptf("duplicate set member %q", truncateForMsg(b))
			}
			s = append(s, b)
			return nil
		}); err != nil {
			return nil, err
		}
		if len(s) == 0 {
			return nil, errEmpty
		}
		keep(d.reuse, &d.set, s)
		return s, nil

	case TypeZSetZiplist, TypeZSetListpack:
		walk := WalkListpack
		if t == TypeZSetZiplist {
			walk = WalkZiplist
		}
		z := container(d.reuse, &d.zset, blobCount(t, blob)/2)
		dups := d.newDupSet(0)
		if t == TypeZSetZiplist && dups == nil {
			dups = &dupSet{m: map[string]struct{}{}}
		}
		odd := false
		var member []byte
		_, err := walk(blob, func(e Elem) error {
			odd = !odd
			if odd {
				member = blobElem(e)
				if !dups.add(member) {
					return corruptf("duplicate sorted set member %q", truncateForMsg(member))
				}
				return nil
			}
			var score float64
			if e.IsInt {
				score = float64(e.Int)
			} else {
				var err error
				if score, err = parseTextDouble(e.Str); err != nil {
					return err
				}
			}
			z = append(z, ZMember{Member: member, Score: score})
			return nil
		})
		if err != nil {
			return nil, err
		}
		if odd {
			return nil, corruptf("sorted set with an odd number of elements")
		}
		if len(z) == 0 {
			return nil, errEmpty
		}
		keep(d.reuse, &d.zset, z)
		return z, nil

	case TypeHashZiplist, TypeHashListpack, TypeHashListpackEx, TypeHashListpackExPreGA:
		walk := WalkListpack
		if t == TypeHashZiplist {
			walk = WalkZiplist
		}
		tuple := 2
		if t == TypeHashListpackEx || t == TypeHashListpackExPreGA {
			tuple = 3
		}
		h := container(d.reuse, &d.hash, blobCount(t, blob)/tuple)
		dups := d.newDupSet(0)
		if t == TypeHashZiplist && dups == nil {
			dups = &dupSet{m: map[string]struct{}{}}
		}
		i := 0
		var cur HashField
		_, err := walk(blob, func(e Elem) error {
			switch i % tuple {
			case 0:
				cur = HashField{Field: blobElem(e)}
				if !dups.add(cur.Field) {
					return corruptf("duplicate hash field %q", truncateForMsg(cur.Field))
				}
			case 1:
				cur.Value = blobElem(e)
			case 2:
				v, ok := elemInt(e)
				if !ok || v < 0 || v > ebExpireTimeMax {
					return corruptf("invalid hash field expire time")
				}
				cur.Expire = v
			}
			i++
			if i%tuple == 0 {
				h = append(h, cur)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if i%tuple != 0 {
			return nil, corruptf("hash listpack with %d elements, not a multiple of %d", i, tuple)
		}
		if len(h) == 0 {
			return nil, errEmpty
		}
		keep(d.reuse, &d.hash, h)
		return h, nil
	}
	return nil, unsupportedf("unknown value type %d", t)
}

// decodeStream reads the three stream generations.
func (d *valueDecoder) decodeStream(t Type) (Value, error) {
	r := d.r
	nodes, err := r.readPlainLen()
	if err != nil {
		return nil, err
	}
	s := &Stream{}
	prev := StreamID{}
	first := true
	for i := uint64(0); i < nodes; i++ {
		key, err := r.readString()
		if err != nil {
			return nil, err
		}
		if len(key) != 16 {
			return nil, corruptf("stream node key of %d bytes, expected 16", len(key))
		}
		lp, err := r.readString()
		if err != nil {
			return nil, err
		}
		master := decodeStreamID(key)
		prev, err = parseStreamNode(master, lp, prev, first, func(e StreamEntry) error {
			s.Entries = append(s.Entries, e)
			return nil
		})
		if err != nil {
			return nil, err
		}
		first = false
	}
	if s.Length, err = r.readPlainLen(); err != nil {
		return nil, err
	}
	if s.LastID.Ms, err = r.readPlainLen(); err != nil {
		return nil, err
	}
	if s.LastID.Seq, err = r.readPlainLen(); err != nil {
		return nil, err
	}
	if t >= TypeStreamListpacks2 {
		for _, p := range []*uint64{&s.FirstID.Ms, &s.FirstID.Seq, &s.MaxDeletedID.Ms, &s.MaxDeletedID.Seq, &s.EntriesAdded} {
			if *p, err = r.readPlainLen(); err != nil {
				return nil, err
			}
		}
	} else {
		s.EntriesAdded = s.Length
		if len(s.Entries) > 0 {
			s.FirstID = s.Entries[0].ID
		} else {
			s.FirstID = maxStreamID
		}
	}
	if s.Length != uint64(len(s.Entries)) {
		return nil, corruptf("stream length %d does not match its %d entries", s.Length, len(s.Entries))
	}
	ngroups, err := r.readPlainLen()
	if err != nil {
		return nil, err
	}
	groupNames := d.newDupSet(ngroups)
	if groupNames == nil {
		groupNames = &dupSet{m: map[string]struct{}{}}
	}
	for g := uint64(0); g < ngroups; g++ {
		var cg StreamGroup
		if cg.Name, err = r.readString(); err != nil {
			return nil, err
		}
		if !groupNames.add(cg.Name) {
			return nil, corruptf("duplicate consumer group %q", truncateForMsg(cg.Name))
		}
		if cg.LastID.Ms, err = r.readPlainLen(); err != nil {
			return nil, err
		}
		if cg.LastID.Seq, err = r.readPlainLen(); err != nil {
			return nil, err
		}
		if t >= TypeStreamListpacks2 {
			v, err := r.readPlainLen()
			if err != nil {
				return nil, err
			}
			cg.EntriesRead = int64(v)
		} else {
			cg.EntriesRead = estimateEntriesRead(s, cg.LastID)
		}
		npel, err := r.readPlainLen()
		if err != nil {
			return nil, err
		}
		owner := make(map[StreamID]bool, capHint(npel))
		cg.PEL = make([]StreamPending, 0, capHint(npel))
		for i := uint64(0); i < npel; i++ {
			raw, err := r.next(16)
			if err != nil {
				return nil, err
			}
			p := StreamPending{ID: decodeStreamID(raw)}
			if p.DeliveryTime, err = r.readMillis(); err != nil {
				return nil, err
			}
			if p.DeliveryCount, err = r.readPlainLen(); err != nil {
				return nil, err
			}
			if _, dup := owner[p.ID]; dup {
				return nil, corruptf("duplicate pending entry %s in group %q", p.ID, truncateForMsg(cg.Name))
			}
			owner[p.ID] = false
			cg.PEL = append(cg.PEL, p)
		}
		ncons, err := r.readPlainLen()
		if err != nil {
			return nil, err
		}
		consNames := &dupSet{m: make(map[string]struct{}, capHint(ncons))}
		for c := uint64(0); c < ncons; c++ {
			var sc StreamConsumer
			if sc.Name, err = r.readString(); err != nil {
				return nil, err
			}
			if !consNames.add(sc.Name) {
				return nil, corruptf("duplicate consumer %q in group %q", truncateForMsg(sc.Name), truncateForMsg(cg.Name))
			}
			if sc.SeenTime, err = r.readMillis(); err != nil {
				return nil, err
			}
			sc.ActiveTime = sc.SeenTime
			if t >= TypeStreamListpacks3 {
				if sc.ActiveTime, err = r.readMillis(); err != nil {
					return nil, err
				}
			}
			n, err := r.readPlainLen()
			if err != nil {
				return nil, err
			}
			sc.PEL = make([]StreamID, 0, capHint(n))
			for i := uint64(0); i < n; i++ {
				raw, err := r.next(16)
				if err != nil {
					return nil, err
				}
				id := decodeStreamID(raw)
				taken, ok := owner[id]
				if !ok {
					return nil, corruptf("consumer %q pending entry %s is not in its group's PEL", truncateForMsg(sc.Name), id)
				}
				if taken {
					return nil, corruptf("pending entry %s owned twice", id)
				}
				owner[id] = true
				sc.PEL = append(sc.PEL, id)
			}
			cg.Consumers = append(cg.Consumers, sc)
		}
		for _, p := range cg.PEL {
			if !owner[p.ID] {
				return nil, corruptf("pending entry %s of group %q has no consumer", p.ID, truncateForMsg(cg.Name))
			}
		}
		s.Groups = append(s.Groups, cg)
	}
	return s, nil
}

// moduleTypeName decodes the 9-character module type name from a module
// type ID (its top 54 bits, 6 bits per character).
func moduleTypeName(id uint64) string {
	const cset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var name [9]byte
	encver := id & 1023
	id >>= 10
	for j := 8; j >= 0; j-- {
		name[j] = cset[id&63]
		id >>= 6
	}
	return string(name[:]) + "/" + strconv.FormatUint(encver, 10)
}

// decodeListNodes reads the n nodes of a QUICKLIST_2 list and keeps them
// as they are (DecoderOptions.ListNodes). Packed nodes are validated
// entirely; empty ones are dropped, as Redis's loader drops them.
func (d *valueDecoder) decodeListNodes(n uint64) (Value, error) {
	r := d.r
	var l ListNodes
	for i := uint64(0); i < n; i++ {
		container, err := r.readPlainLen()
		if err != nil {
			return nil, err
		}
		if container != quicklistPacked && container != quicklistPlain {
			return nil, corruptf("unknown quicklist node container %d", container)
		}
		data, err := r.readString()
		if err != nil {
			return nil, err
		}
		if len(data) == 0 {
			return nil, corruptf("empty quicklist node")
		}
		if container == quicklistPlain {
			l.Nodes = append(l.Nodes, ListNode{Data: data, Plain: true})
			l.Count++
			continue
		}
		count, err := WalkListpack(data, func(Elem) error { return nil })
		if err != nil {
			return nil, err
		}
		if count == 0 {
			continue
		}
		l.Nodes = append(l.Nodes, ListNode{Data: data})
		l.Count += count
	}
	if l.Count == 0 {
		return nil, errEmpty
	}
	return l, nil
}
