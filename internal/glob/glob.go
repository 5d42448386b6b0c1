// Package glob implements Redis's glob-style pattern matching (stringmatchlen),
// used by KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET and ACL key patterns.
//
// Supported syntax: '*' any run, '?' one byte, '[abc]', '[^abc]', '[a-z]'
// classes, and '\' to escape the next byte. Matching is byte-wise; the
// case-insensitive form folds ASCII only, as C's tolower does in the C locale.
package glob

// Match reports whether s matches pattern.
func Match(pattern, s string) bool {
	skip := false
	return match(pattern, s, false, &skip, 0)
}

// MatchFold is Match ignoring ASCII case.
func MatchFold(pattern, s string) bool {
	skip := false
	return match(pattern, s, true, &skip, 0)
}

// maxNesting bounds recursion on patterns with many stars, as later Redis
// versions do, so a hostile pattern cannot exhaust the stack.
const maxNesting = 1000

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// at returns p[i], or 0 past the end (the C code reads the terminating NUL).
func at(p string, i int) byte {
	if i < len(p) {
		return p[i]
	}
	return 0
}

func match(p, s string, fold bool, skipLonger *bool, depth int) bool {
	if depth > maxNesting {
		return false
	}
	for len(p) > 0 && len(s) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 1 && p[1] == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for len(s) > 0 {
				if match(p[1:], s, fold, skipLonger, depth+1) {
					return true
				}
				if *skipLonger {
					return false
				}
				s = s[1:]
			}
			*skipLonger = true
			return false
		case '?':
			s = s[1:]
		case '[':
			p = p[1:]
			not := at(p, 0) == '^'
			if not {
				p = p[1:]
			}
			matched := false
			for {
				if len(p) >= 2 && p[0] == '\\' {
					p = p[1:]
					if p[0] == s[0] {
						matched = true
					}
				} else if len(p) > 0 && p[0] == ']' {
					break
				} else if len(p) == 0 {
					// An unterminated class: the C code steps back so that
					// the final advance leaves the pattern empty.
					break
				} else if len(p) >= 3 && p[1] == '-' {
					start, end, c := p[0], p[2], s[0]
					if start > end {
						start, end = end, start
					}
					if fold {
						start, end, c = lower(start), lower(end), lower(c)
					}
					p = p[2:]
					if c >= start && c <= end {
						matched = true
					}
				} else if fold {
					if lower(p[0]) == lower(s[0]) {
						matched = true
					}
				} else if p[0] == s[0] {
					matched = true
				}
				p = p[1:]
			}
			if not {
				matched = !matched
			}
			if !matched {
				return false
			}
			s = s[1:]
			if len(p) == 0 {
				// Unterminated class consumed the whole pattern.
				return len(s) == 0
			}
		case '\\':
			if len(p) >= 2 {
				p = p[1:]
			}
			fallthrough
		default:
			if fold {
				if lower(p[0]) != lower(s[0]) {
					return false
				}
			} else if p[0] != s[0] {
				return false
			}
			s = s[1:]
		}
		p = p[1:]
		if len(s) == 0 {
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			break
		}
	}
	return len(p) == 0 && len(s) == 0
}
