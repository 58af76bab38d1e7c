package imap4

import (
	"reflect"
	"testing"
)

func TestParseSeqSet(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in      string
		want    SeqSet
		wantErr string
	}{
		{in: "1", want: set(one(1))},
		{in: "1:*", want: set(rg(1, Star))},
		{in: "*", want: set(one(Star))},
		{in: "*:4,2,7:5", want: set(rg(Star, 4), one(2), rg(7, 5))},
		{in: "4294967295", want: set(one(4294967295))},
		{in: "$", want: SeqSet{Saved: true}},
		{in: "", wantErr: "empty sequence set"},
		{in: "0", wantErr: `invalid number "0" in sequence set: must be nonzero without leading zero`},
		{in: "01", wantErr: `invalid number "01" in sequence set: must be nonzero without leading zero`},
		{in: "1,", wantErr: "empty number in sequence set"},
		{in: "1::2", wantErr: `invalid character ':' in sequence set`},
		{in: "1:2:3", wantErr: `invalid character ':' in sequence set`},
		{in: "4294967296", wantErr: "number 4294967296 in sequence set out of range"},
		{in: "$,1", wantErr: `invalid character '$' in sequence set`},
	}
	for _, tc := range cases {
		got, err := ParseSeqSet(tc.in)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: got %+v, %v", tc.in, got, err)
			continue
		}
		if s := got.String(); s != tc.in {
			t.Errorf("%q: String() = %q", tc.in, s)
		}
	}
}

func TestSeqSetContainsResolve(t *testing.T) {
	t.Parallel()
	s, _ := ParseSeqSet("2,4:6,*:9,20")
	for _, c := range []struct {
		n, max uint32
		want   bool
	}{{1, 12, false}, {2, 12, true}, {3, 12, false}, {5, 12, true}, {9, 12, true}, {12, 12, true}, {13, 12, false}, {20, 12, true}, {7, 7, true}, {8, 7, true}} {
		if got := s.Contains(c.n, c.max); got != c.want {
			t.Errorf("Contains(%d, max %d) = %v", c.n, c.max, got)
		}
	}
	want := []SeqRange{{2, 2}, {4, 6}, {9, 12}, {20, 20}}
	if got := s.Resolve(12); !reflect.DeepEqual(got, want) {
		t.Errorf("Resolve(12) = %v want %v", got, want)
	}
	want = []SeqRange{{2, 9}, {20, 20}}
	if got := s.Resolve(3); !reflect.DeepEqual(got, want) {
		t.Errorf("Resolve(3) = %v want %v", got, want)
	}
	if !s.Dynamic() || set(one(1)).Dynamic() || !(SeqSet{Saved: true}).Dynamic() {
		t.Error("Dynamic")
	}
}

func TestCompressSeqSet(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   []uint32
		want string
	}{
		{nil, ""},
		{[]uint32{5}, "5"},
		{[]uint32{3, 1, 2}, "1:3"},
		{[]uint32{1, 2, 3, 5, 7, 8, 8, 9, 4294967295}, "1:3,5,7:9,4294967295"},
		{[]uint32{4294967294, 4294967295}, "4294967294:4294967295"},
	}
	for _, c := range cases {
		if got := CompressSeqSet(c.in).String(); got != c.want {
			t.Errorf("%v: got %q want %q", c.in, got, c.want)
		}
	}
}
