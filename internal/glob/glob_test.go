package glob

import "testing"

func TestMatch(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", false}, // as stringmatchlen: callers special-case a lone "*"
		{"a*", "a", true},
		{"*", "anything", true},
		{"", "", true},
		{"", "a", false},
		{"a*", "abc", true},
		{"a*c", "abc", true},
		{"a*c", "abd", false},
		{"?", "a", true},
		{"?", "", false},
		{"h?llo", "hello", true},
		{"h[ae]llo", "hallo", true},
		{"h[ae]llo", "hillo", false},
		{"h[^e]llo", "hallo", true},
		{"h[^e]llo", "hello", false},
		{"h[a-b]llo", "hbllo", true},
		{"h[b-a]llo", "hbllo", true},
		{"h[a-b]llo", "hcllo", false},
		{`h\*llo`, "h*llo", true},
		{`h\*llo`, "hello", false},
		{`[\]]`, "]", true},
		{"[abc", "a", true},
		{"[abc", "ab", false},
		{"**a", "ba", true},
		{"a**", "a", true},
		{"*a*b*c*", "xaybzc", true},
		{"user:*", "user:1", true},
		{"user:*", "use", false},
	}
	for _, c := range cases {
		if got := Match(c.pattern, c.s); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
	if !MatchFold("HeLLo*", "hello world") || MatchFold("x", "y") {
		t.Error("MatchFold")
	}
	if !MatchFold("[A-C]x", "bX") {
		t.Error("MatchFold class")
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("*a[b-c]?\\", "abc")
	f.Add("[^", "x")
	f.Fuzz(func(t *testing.T, p, s string) {
		Match(p, s)
		MatchFold(p, s)
	})
}
