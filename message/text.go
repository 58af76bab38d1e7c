package message

import (
	"bytes"
	"fmt"
	"io"
)

// text is the stored form of a message as the scanner and the splitter
// read it: in memory (byteText) or in a spool file (fileText), so that a
// big message is split without holding its bodies. Offsets are absolute
// positions in the text.
type text interface {
	Len() int
	// Bytes returns text[i:j]. A fileText's slice is valid only until the
	// next call on the text; callers read short ranges (a line's start, a
	// header block) and copy what they keep.
	Bytes(i, j int) []byte
	// Keep returns text[i:j] in memory the caller may keep.
	Keep(i, j int) []byte
	At(i int) byte
	// IndexByte and LastIndexByte return the absolute position of c in
	// text[i:j], or -1.
	IndexByte(i, j int, c byte) int
	LastIndexByte(i, j int, c byte) int
	// Row returns the part for the body row text[i:j]: the bytes
	// themselves in memory, a lazily read range of the file otherwise.
	Row(i, j int) Part
}

// byteText is a text in memory; its slices alias the message.
type byteText []byte

func (t byteText) Len() int              { return len(t) }
func (t byteText) Bytes(i, j int) []byte { return t[i:j] }
func (t byteText) Keep(i, j int) []byte  { return t[i:j] }
func (t byteText) At(i int) byte         { return t[i] }
func (t byteText) Row(i, j int) Part     { return Part{Data: t[i:j]} }

func (t byteText) IndexByte(i, j int, c byte) int {
	if k := bytes.IndexByte(t[i:j], c); k >= 0 {
		return i + k
	}
	return -1
}

func (t byteText) LastIndexByte(i, j int, c byte) int {
	if k := bytes.LastIndexByte(t[i:j], c); k >= 0 {
		return i + k
	}
	return -1
}

// fileWindow is how much of a fileText is buffered for scanning.
const fileWindow = 64 << 10

// fileText is a text of n bytes at offset base of a file, read through a
// window. A read error is kept (err) and reads as zero bytes from then on;
// the caller checks it once the scan is done.
type fileText struct {
	r      io.ReaderAt
	base   int64
	n      int
	win    []byte // text[winOff:winOff+len(win)]
	winOff int
	tmp    []byte
	err    error
}

func newFileText(r io.ReaderAt, base int64, n int64) *fileText {
	return &fileText{r: r, base: base, n: int(n), win: make([]byte, 0, fileWindow)}
}

func (t *fileText) Len() int { return t.n }

// load makes the window start at i (or keep it when it already holds
// text[i:i+want]).
func (t *fileText) load(i, want int) {
	want = min(want, t.n-i, fileWindow)
	if i >= t.winOff && i+want <= t.winOff+len(t.win) {
		return
	}
	t.win = t.win[:min(fileWindow, t.n-i)]
	t.winOff = i
	if t.err != nil {
		clear(t.win)
		return
	}
	if _, err := t.r.ReadAt(t.win, t.base+int64(i)); err != nil {
		t.err = fmt.Errorf("message: read spool at %d: %w", t.base+int64(i), err)
		clear(t.win)
	}
}

func (t *fileText) At(i int) byte {
	t.load(i, 1)
	return t.win[i-t.winOff]
}

func (t *fileText) Bytes(i, j int) []byte {
	if j-i <= fileWindow {
		t.load(i, j-i)
		return t.win[i-t.winOff : j-t.winOff]
	}
	if cap(t.tmp) < j-i {
		t.tmp = make([]byte, j-i)
	}
	t.tmp = t.tmp[:j-i]
	t.readAt(t.tmp, i)
	return t.tmp
}

func (t *fileText) Keep(i, j int) []byte {
	b := make([]byte, j-i)
	t.readAt(b, i)
	return b
}

func (t *fileText) readAt(b []byte, i int) {
	if t.err != nil {
		clear(b)
		return
	}
	if _, err := t.r.ReadAt(b, t.base+int64(i)); err != nil {
		t.err = fmt.Errorf("message: read spool at %d: %w", t.base+int64(i), err)
		clear(b)
	}
}

func (t *fileText) Row(i, j int) Part {
	return Part{Src: t.r, Off: t.base + int64(i), Size: int64(j - i)}
}

func (t *fileText) IndexByte(i, j int, c byte) int {
	for i < j {
		t.load(i, j-i)
		w := t.win[i-t.winOff : min(j, t.winOff+len(t.win))-t.winOff]
		if k := bytes.IndexByte(w, c); k >= 0 {
			return i + k
		}
		i += len(w)
	}
	return -1
}

func (t *fileText) LastIndexByte(i, j int, c byte) int {
	for j > i {
		start := max(i, j-fileWindow)
		t.load(start, j-start)
		w := t.win[start-t.winOff : j-t.winOff]
		if k := bytes.LastIndexByte(w, c); k >= 0 {
			return start + k
		}
		j = start
	}
	return -1
}

// lineEnd returns the end of the line starting at pos (the index of its
// LF, or end) and the start of the next line.
func lineEnd(t text, pos, end int) (lineEnd, next int) {
	i := t.IndexByte(pos, end, '\n')
	if i < 0 {
		return end, end
	}
	return i, i + 1
}

// indexBlankLine returns the position of the first "\n\n" in t, or -1.
func indexBlankLine(t text) int {
	for pos := 0; pos < t.Len(); {
		i := t.IndexByte(pos, t.Len(), '\n')
		if i < 0 || i+1 >= t.Len() {
			return -1
		}
		if t.At(i+1) == '\n' {
			return i
		}
		pos = i + 1
	}
	return -1
}
