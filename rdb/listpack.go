package rdb

import (
	"strconv"

	"replab/internal/listpack"
)

// The listpack format itself (encoding, decoding, validation) is
// internal/listpack; this file gives it the rdb package's types and
// errors.

// Elem is an element of a listpack or ziplist: an integer (IsInt) or a
// string (Str, which aliases the structure it was read from). Its fields
// are those of listpack.Entry, which converts to it.
type Elem struct {
	Str   []byte
	Int   int64
	IsInt bool
}

// AppendTo appends the element's string form (integers in decimal).
func (e Elem) AppendTo(dst []byte) []byte {
	if e.IsInt {
		return strconv.AppendInt(dst, e.Int, 10)
	}
	return append(dst, e.Str...)
}

// Bytes returns the element's string form in a new slice.
func (e Elem) Bytes() []byte {
	if e.IsInt {
		return formatInt(e.Int)
	}
	return append(make([]byte, 0, len(e.Str)), e.Str...)
}

// WalkListpack validates the listpack lp as a whole (size header, terminator,
// every element's encoding and backlen, the count header) while calling fn
// on each element in order. It returns the number of elements. An error from
// fn stops the walk and is returned. Elements handed to fn alias lp.
func WalkListpack(lp []byte, fn func(Elem) error) (int, error) {
	it, err := listpack.NewIterator(lp)
	if err != nil {
		return 0, listpackCorrupt(err)
	}
	for {
		e, ok, err := it.Next()
		if err != nil {
			return 0, listpackCorrupt(err)
		}
		if !ok {
			break
		}
		if fn != nil {
			if err := fn(Elem(e)); err != nil {
				return it.Count(), err
			}
		}
	}
	if err := it.Finish(); err != nil {
		return 0, listpackCorrupt(err)
	}
	return it.Count(), nil
}

// listpackCorrupt turns an error of internal/listpack (whose text names
// the offset at fault) into a corruption error.
func listpackCorrupt(err error) error {
	return &causeError{msg: err.Error(), cause: ErrCorrupt}
}

// ListpackBuilder builds a listpack by appending elements, as Redis's
// lpAppend does: strings that are canonical 64-bit integers are stored as
// integers. The zero value is an empty listpack.
type ListpackBuilder = listpack.Builder
