package whirlpool

import (
	"encoding/hex"
	"strings"
	"testing"
)

// NESSIE / ISO test vectors for the final Whirlpool, cross-checked with
// rhash --whirlpool.
var vectors = []struct{ in, want string }{
	{"", "19fa61d75522a4669b44e39c1d2e1726c530232130d407f89afee0964997f7a73e83be698b288febcf88e3e03c4f0757ea8964e59b63d93708b138cc42a66eb3"},
	{"a", "8aca2602792aec6f11a67206531fb7d7f0dff59413145e6973c45001d0087b42d11bc645413aeff63a42391a39145a591a92200d560195e53b478584fdae231a"},
	{"abc", "4e2448a4c6f486bb16b6562c73b4020bf3043e3a731bce721ae1b303d97e6d4c7181eebdb6c57e277d0e34957114cbd6c797fc9d95d8b582d225292076d4eef5"},
	{"message digest", "378c84a4126e2dc6e56dcc7458377aac838d00032230f53ce1f5700c0ffb4d3b8421557659ef55c106b4b52ac5a4aaa692ed920052838f3362e86dbd37a8903e"},
	{"abcdefghijklmnopqrstuvwxyz", "f1d754662636ffe92c82ebb9212a484a8d38631ead4238f5442ee13b8054e41b08bf2a9251c30b6a0b8aae86177ab4a6f68f673e7207865d5d9819a3dba4eb3b"},
}

func TestVectors(t *testing.T) {
	for _, v := range vectors {
		got := Sum([]byte(v.in))
		if h := hex.EncodeToString(got[:]); h != v.want {
			t.Errorf("Whirlpool(%q) = %s, want %s", v.in, h, v.want)
		}
	}
}

func TestSBoxKnownEntries(t *testing.T) {
	s := sbox()
	// First entries of the published final S-box.
	want := []byte{0x18, 0x23, 0xc6, 0xe8, 0x87, 0xb8, 0x01, 0x4f}
	for i, w := range want {
		if s[i] != w {
			t.Errorf("S[%#02x] = %#02x, want %#02x", i, s[i], w)
		}
	}
}

func TestStreaming(t *testing.T) {
	msg := []byte(strings.Repeat("The quick brown fox jumps over the lazy dog. ", 5))
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
