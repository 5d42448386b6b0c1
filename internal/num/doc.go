// Package num converts between numbers and their byte-string forms exactly as
// Redis does, so that replies and error paths match a real server byte for byte.
//
// The rules it carries over are Redis's, not Go's: ParseInt accepts what
// Redis's string2ll accepts (no sign but '-', no leading zeros, no spaces, at
// most 20 characters), FormatDouble is C's "%.17g", and the long-double
// helpers reproduce INCRBYFLOAT's 64-bit-mantissa arithmetic.
package num
