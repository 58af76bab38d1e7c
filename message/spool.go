package message

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// SpoolThreshold is the message size above which the daemons receive a
// message into a Spool instead of memory (an IMAP APPEND literal, LMTP
// DATA). Smaller messages are parsed in memory, which is faster.
const SpoolThreshold = 1 << 20

// spoolBuf is the write buffer of a spool and the slice size of its passes.
const spoolBuf = 64 << 10

// Spool receives one message into a temporary file as it arrives, so that
// a big message costs the daemon bounded memory: ParseSpool splits it with
// its body rows left in the file, and db.StoreMessage reads each row just
// before it inserts it. The file is unlinked as soon as it is created, so
// nothing is left on disk whatever happens to the process; Close releases
// it. A Spool is used by one goroutine.
type Spool struct {
	dir string
	f   *os.File
	w   *bufio.Writer
	n   int64
	lf  *os.File // the stored form, when it differs from the received one
	err error
}

// NewSpool creates an empty spool in dir (os.TempDir() when empty).
func NewSpool(dir string) (*Spool, error) {
	f, err := os.CreateTemp(dir, "dbmail-spool-*")
	if err != nil {
		return nil, fmt.Errorf("message: create spool: %w", err)
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, fmt.Errorf("message: unlink spool: %w", err)
	}
	return &Spool{dir: dir, f: f, w: bufio.NewWriterSize(f, spoolBuf)}, nil
}

// Write appends message bytes. After a failure every later Write fails too.
func (s *Spool) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if s.w == nil {
		return 0, errors.New("message: write to a parsed or closed spool")
	}
	n, err := s.w.Write(p)
	s.n += int64(n)
	if err != nil {
		s.err = fmt.Errorf("message: write spool: %w", err)
	}
	return n, s.err
}

// Size is the number of bytes written.
func (s *Spool) Size() int64 { return s.n }

// finish flushes the writer; the spool takes no more bytes.
func (s *Spool) finish() error {
	if s.err != nil {
		return s.err
	}
	if s.w != nil {
		if err := s.w.Flush(); err != nil {
			s.err = fmt.Errorf("message: write spool: %w", err)
			return s.err
		}
		s.w = nil
	}
	return nil
}

// Reader returns the message as received; no more bytes can be written.
func (s *Spool) Reader() (*io.SectionReader, error) {
	if err := s.finish(); err != nil {
		return nil, err
	}
	return io.NewSectionReader(s.f, 0, s.n), nil
}

// Bytes reads the whole message into memory, for the few consumers that
// need it whole (Sieve scripts, forwarding, literal8 conversion).
func (s *Spool) Bytes() ([]byte, error) {
	r, err := s.Reader()
	if err != nil {
		return nil, err
	}
	b := make([]byte, s.n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("message: read spool: %w", err)
	}
	return b, nil
}

// Close releases the spool's files. A Message parsed from it must not be
// used afterwards.
func (s *Spool) Close() error {
	s.w = nil
	if s.err == nil {
		s.err = errors.New("message: spool closed")
	}
	var err error
	if s.lf != nil {
		err = s.lf.Close()
		s.lf = nil
	}
	if s.f != nil {
		err = errors.Join(err, s.f.Close())
		s.f = nil
	}
	return err
}

// ParseSpool is Parse for a spooled message: it gives the same rows, sizes
// and header as Parse of the spool's bytes, but reads the message in
// slices, keeps only header blocks in memory, and leaves body rows in the
// spool (Part.Src). The message must not be used after the spool is
// closed. Memory: the header blocks, the row list and a few buffers of at
// most Options.MaxRowSize.
func ParseSpool(s *Spool, opt Options) (*Message, error) {
	if opt.MaxDepth <= 0 {
		opt.MaxDepth = DefaultMaxDepth
	}
	if opt.MaxRowSize <= 0 {
		opt.MaxRowSize = DefaultMaxRowSize
	}
	raw, err := s.Reader()
	if err != nil {
		return nil, err
	}
	m := &Message{defaultCharset: opt.DefaultCharset}
	start, fromLine, err := leadingLine(raw)
	if err != nil {
		return nil, err
	}
	if fromLine != nil {
		m.FromLineDate = parseFromLineDate(string(fromLine))
	}
	m.MessageSize = s.n - start
	original := io.NewSectionReader(s.f, start, m.MessageSize)
	st, err := scanEndings(original)
	if err != nil {
		return nil, err
	}
	endings := st.endings()
	var stored *fileText
	if endings == endingsCRLF {
		lf, err := NewSpool(s.dir)
		if err != nil {
			return nil, err
		}
		if _, err := original.Seek(0, io.SeekStart); err != nil {
			lf.Close()
			return nil, fmt.Errorf("message: rewind spool: %w", err)
		}
		if err := copyCRLFToLF(lf, original); err != nil {
			lf.Close()
			return nil, err
		}
		if err := lf.finish(); err != nil {
			lf.Close()
			return nil, err
		}
		s.lf = lf.f
		stored = newFileText(lf.f, 0, lf.n)
		m.RFCSize = lf.n + st.lf // every LF of the stored form is bare
	} else {
		stored = newFileText(s.f, start, m.MessageSize)
		m.RFCSize = m.MessageSize + st.lf - st.crlf
	}
	m.StoredSize = int64(stored.Len())
	if err := m.split(stored, endings, opt); err != nil {
		return nil, err
	}
	if stored.err != nil {
		return nil, stored.err
	}
	return m, nil
}

// leadingLine returns where the message proper starts: after a leading
// mbox "From " line (returned, for its date) or a line starting with a
// space, as Parse skips them.
func leadingLine(raw *io.SectionReader) (start int64, fromLine []byte, err error) {
	var head [5]byte
	n, err := raw.ReadAt(head[:], 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, nil, fmt.Errorf("message: read spool: %w", err)
	}
	isFrom := bytes.HasPrefix(head[:n], []byte("From "))
	if !isFrom && !bytes.HasPrefix(head[:n], []byte(" ")) {
		return 0, nil, nil
	}
	// The first line, of which the date needs only the first 64 KiB.
	br := bufio.NewReaderSize(io.NewSectionReader(raw, 0, raw.Size()), spoolBuf)
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		start += int64(len(chunk))
		if len(line) < spoolBuf {
			line = append(line, chunk[:min(len(chunk), spoolBuf-len(line))]...)
		}
		if err == nil || errors.Is(err, io.EOF) {
			break
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return 0, nil, fmt.Errorf("message: read spool: %w", err)
		}
	}
	if !isFrom {
		return start, nil, nil
	}
	return start, line, nil
}

// endingStats are the line-ending counts of a message (classifyEndings,
// streamed).
type endingStats struct {
	lf, crlf int64
	crcrlf   bool
}

func (e endingStats) endings() lineEndings {
	switch {
	case e.crcrlf:
		return endingsMixed
	case e.crlf == 0:
		return endingsLF
	case e.crlf == e.lf:
		return endingsCRLF
	default:
		return endingsMixed
	}
}

// scanEndings counts the LFs and CRLFs of r in slices.
func scanEndings(r io.Reader) (endingStats, error) {
	var st endingStats
	buf := make([]byte, spoolBuf)
	var p1, p2 byte // the two bytes before buf[0]
	for {
		n, err := r.Read(buf)
		b := buf[:n]
		for i := bytes.IndexByte(b, '\n'); i >= 0; {
			st.lf++
			prev, prev2 := p1, p2
			if i > 0 {
				prev, prev2 = b[i-1], p1
				if i > 1 {
					prev2 = b[i-2]
				}
			}
			if prev == '\r' {
				st.crlf++
				if prev2 == '\r' {
					st.crcrlf = true
				}
			}
			j := bytes.IndexByte(b[i+1:], '\n')
			if j < 0 {
				break
			}
			i += j + 1
		}
		switch {
		case n >= 2:
			p2, p1 = b[n-2], b[n-1]
		case n == 1:
			p2, p1 = p1, b[0]
		}
		if errors.Is(err, io.EOF) {
			return st, nil
		}
		if err != nil {
			return st, fmt.Errorf("message: read spool: %w", err)
		}
	}
}

// copyCRLFToLF writes r to w with every CRLF replaced by LF (crlfToLF,
// streamed; a CR at the end of one slice is held until the next).
func copyCRLFToLF(w io.Writer, r io.Reader) error {
	buf := make([]byte, spoolBuf)
	out := make([]byte, 0, spoolBuf+1)
	heldCR := false
	for {
		n, err := r.Read(buf)
		out = out[:0]
		for _, c := range buf[:n] {
			if heldCR {
				heldCR = false
				if c != '\n' {
					out = append(out, '\r')
				}
			}
			if c == '\r' {
				heldCR = true
				continue
			}
			out = append(out, c)
		}
		if len(out) > 0 {
			if _, werr := w.Write(out); werr != nil {
				return werr
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("message: read spool: %w", err)
		}
	}
	if heldCR {
		if _, err := w.Write([]byte{'\r'}); err != nil {
			return err
		}
	}
	return nil
}

// Spooled reports whether some rows of m are still in its spool file
// (ParseSpool); the store then reads and inserts them one at a time.
func (m *Message) Spooled() bool {
	for i := range m.Parts {
		if m.Parts[i].Lazy() {
			return true
		}
	}
	return false
}
