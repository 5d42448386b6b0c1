package rdb

import "iter"

// Source is a value for the Encoder to write, presented element by element
// so that big collections are written without an intermediate copy. The
// decoded Values (String, List, Set, ZSet, Hash, *Stream) are Sources, and so
// are the iterator-backed ListSource, SetSource, ZSetSource, HashSource and
// StreamSource.
//
// The Encoder may run an iterator twice (once to choose the encoding or
// count nodes, once to write), so each must yield the same sequence every
// time it is called, and exactly Len elements.
type Source interface {
	source()
}

// ListSource is a list given by an iterator, head first.
type ListSource struct {
	Len      int
	Elements iter.Seq[[]byte]
}

// ListNodesSource is a list given as its quicklist nodes, head first: each
// is a listpack or, when plain is true, a single element stored as it is.
// The Encoder writes them as they are (QUICKLIST_2), without re-planning
// the nodes or checking the listpacks: the caller vouches for them. Len is
// the number of elements, NodeCount the number of nodes Nodes yields.
type ListNodesSource struct {
	Len       int
	NodeCount int
	Nodes     iter.Seq2[[]byte, bool]
}

// SetSource is a set given by an iterator. Hashtable forces the hashtable
// encoding even when the set would fit an intset (Redis never converts a set
// back to an intset, so a set that once grew stays a hashtable).
type SetSource struct {
	Len       int
	Members   iter.Seq[[]byte]
	Hashtable bool
}

// ZSetSource is a sorted set given by an iterator, in any order (Redis
// writes skiplists highest score first, which its loader inserts fastest).
// Skiplist forces the skiplist encoding even when the set would fit a
// listpack.
type ZSetSource struct {
	Len      int
	Members  iter.Seq2[[]byte, float64]
	Skiplist bool
}

// HashSource is a hash given by an iterator of field, value pairs.
// Hashtable forces the hashtable encoding even when the hash would fit a
// listpack.
type HashSource struct {
	Len       int
	Fields    iter.Seq2[[]byte, []byte]
	Hashtable bool
}

// StreamSource is a stream whose entries are given by an iterator, in
// ascending ID order. Groups are written as given.
type StreamSource struct {
	Len          int // number of entries Entries yields
	Entries      iter.Seq[StreamEntry]
	LastID       StreamID
	FirstID      StreamID
	MaxDeletedID StreamID
	EntriesAdded uint64
	Groups       []StreamGroup
}

func (String) source()          {}
func (List) source()            {}
func (Set) source()             {}
func (ZSet) source()            {}
func (Hash) source()            {}
func (*Stream) source()         {}
func (ListSource) source()      {}
func (ListNodes) source()       {}
func (ListNodesSource) source() {}
func (SetSource) source()       {}
func (ZSetSource) source()      {}
func (HashSource) source()      {}
func (StreamSource) source()    {}

// Adapters from the decoded values.

func sliceSeq(s [][]byte) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for _, b := range s {
			if !yield(b) {
				return
			}
		}
	}
}

func (v List) asSource() ListSource { return ListSource{Len: len(v), Elements: sliceSeq(v)} }
func (v Set) asSource() SetSource   { return SetSource{Len: len(v), Members: sliceSeq(v)} }

func (v ZSet) asSource() ZSetSource {
	return ZSetSource{Len: len(v), Members: func(yield func([]byte, float64) bool) {
		for _, m := range v {
			if !yield(m.Member, m.Score) {
				return
			}
		}
	}}
}

func (v Hash) asSource() HashSource {
	return HashSource{Len: len(v), Fields: func(yield func([]byte, []byte) bool) {
		for _, f := range v {
			if !yield(f.Field, f.Value) {
				return
			}
		}
	}}
}

func (v *Stream) asSource() StreamSource {
	return StreamSource{
		Len: len(v.Entries),
		Entries: func(yield func(StreamEntry) bool) {
			for _, e := range v.Entries {
				if !yield(e) {
					return
				}
			}
		},
		LastID:       v.LastID,
		FirstID:      v.FirstID,
		MaxDeletedID: v.MaxDeletedID,
		EntriesAdded: v.EntriesAdded,
		Groups:       v.Groups,
	}
}

func (v ListNodes) asSource() ListNodesSource {
	return ListNodesSource{Len: v.Count, NodeCount: len(v.Nodes), Nodes: func(yield func([]byte, bool) bool) {
		for _, nd := range v.Nodes {
			if !yield(nd.Data, nd.Plain) {
				return
			}
		}
	}}
}
