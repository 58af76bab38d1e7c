package tiger

import (
	"encoding/hex"
	"strings"
	"testing"
)

// Vectors from the Tiger reference page (testtiger.c output, standard byte
// order), cross-checked with rhash --tiger.
var vectors = []struct{ in, want string }{
	{"", "3293ac630c13f0245f92bbb1766e16167a4e58492dde73f3"},
	{"a", "77befbef2e7ef8ab2ec8f93bf587a7fc613e247f5f247809"},
	{"abc", "2aab1484e8c158f2bfb8c5ff41b57a525129131c957b5f93"},
	{"message digest", "d981f8cb78201a950dcf3048751e441c517fca1aa55a29f6"},
	{"abcdefghijklmnopqrstuvwxyz", "1714a472eee57d30040412bfcc55032a0b11602ff37beee9"},
	{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "0f7bf9a19b9c58f2b7610df7e84f0ac3a71c631e7b53f78e"},
	{"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "8dcea680a17583ee502ba38a3c368651890ffbccdc49a8cc"},
	{strings.Repeat("1234567890", 8), "1c14795529fd9f207a958f84c52f11e887fa0cabdfd91bfd"},
}

func TestVectors(t *testing.T) {
	for _, v := range vectors {
		got := Sum([]byte(v.in))
		if h := hex.EncodeToString(got[:]); h != v.want {
			t.Errorf("Tiger(%q) = %s, want %s", v.in, h, v.want)
		}
	}
}

func TestSBoxFirstEntries(t *testing.T) {
	// t1[0], t2[0], t3[0], t4[0] of the published S-boxes.
	want := []uint64{0x02AAB17CF7E90C5E, 0xE6A6BE5A05A12138, 0xF49FCC2FF1DAF39B, 0x5B0E608526323C55}
	for i, w := range want {
		if got := sboxes[i*256]; got != w {
			t.Errorf("t%d[0] = %#016x, want %#016x", i+1, got, w)
		}
	}
}

// TestStreaming checks that any split of the input gives the one-shot digest
// and that Sum does not disturb the running state.
func TestStreaming(t *testing.T) {
	msg := []byte(strings.Repeat("The quick brown fox jumps over the lazy dog. ", 7))
	want := Sum(msg)
	for split := 0; split <= len(msg); split++ {
		h := New()
		h.Write(msg[:split])
		_ = h.Sum(nil)
		h.Write(msg[split:])
		if got := h.Sum(nil); string(got) != string(want[:]) {
			t.Fatalf("split %d: %x, want %x", split, got, want)
		}
	}
}

func BenchmarkSum64(b *testing.B) {
	buf := make([]byte, 64)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		Sum(buf)
	}
}
