package message

import (
	"fmt"
	"io"
)

// maxStoredDepth is DBMail's MAX_MIME_DEPTH (spec 0.1): rows deeper than this
// are skipped on read (spec 2.3, 2.5).
const maxStoredDepth = 64

// Form selects the line endings a Rebuilder emits.
type Form int

const (
	// FormStored emits the row texts and joiners exactly as stored (the
	// joiners use LF).
	FormStored Form = iota
	// FormCRLF emits FormStored with every LF not preceded by CR turned
	// into CRLF: the IMAP/POP3 wire form.
	FormCRLF
)

// Row is one dbmail_partlists row joined to its dbmail_mimeparts data, as
// read from SQL ordered by part_key ASC, part_order ASC, part_depth DESC.
type Row struct {
	IsHeader bool
	Depth    int
	Data     []byte
}

// Rebuilder reassembles message text from stored rows one row at a time with
// DBMail's algorithm (spec 2.5, `_mime_retrieve`), so rows written by DBMail
// and by this package read back the same way. It holds one boundary per
// depth, never the message. Two deliberate repairs of DBMail's reader (both
// allowed by spec 2.5): the Content-Type field is found in any case and
// spacing, folded or not; boundaries are not truncated to 127 bytes; and
// bytes after a NUL are kept (spec 2.4).
type Rebuilder struct {
	out     io.Writer
	crlf    *CRLFWriter
	written int64

	bounds      [maxStoredDepth + 1]string
	current     string
	depth       int
	isHeader    bool
	gotBoundary bool
	isMessage   bool
	rows        int
	skipped     int
	lastSkipped bool
	err         error
}

// NewRebuilder returns a Rebuilder that writes the message in form to w.
func NewRebuilder(w io.Writer, form Form) *Rebuilder {
	r := &Rebuilder{isHeader: true}
	if form == FormCRLF {
		r.crlf = newCRLFWriter(w)
		r.out = r.crlf
	} else {
		r.out = w
	}
	return r
}

// Row appends one row (spec 2.5 steps 1–8).
func (r *Rebuilder) Row(row Row) error {
	if r.err != nil {
		return r.err
	}
	r.rows++
	prevDepth, prevHeader := r.depth, r.isHeader
	r.depth = row.Depth
	r.lastSkipped = row.Depth < 0 || row.Depth > maxStoredDepth
	if r.lastSkipped {
		r.skipped++
		return nil
	}
	r.isHeader = row.IsHeader
	var prevBoundary, prevIsMessage bool
	var ct contentTypeInfo
	if row.IsHeader {
		prevBoundary, prevIsMessage = r.gotBoundary, r.isMessage
		ct = detectContentType(row.Data)
		if ct.Found {
			r.isMessage = ct.Media.is("message", "rfc822")
		}
	}
	r.gotBoundary = false
	if row.IsHeader && ct.Found {
		if b := ct.Media.Params["boundary"]; b != "" {
			r.gotBoundary = true
			r.bounds[r.depth] = b
		}
	}
	prevDepth = min(prevDepth, maxStoredDepth+1)
	for prevDepth > 0 && prevDepth-1 >= r.depth && r.bounds[prevDepth-1] != "" {
		r.write("\n--", r.bounds[prevDepth-1], "--\n")
		r.bounds[prevDepth-1] = ""
		prevDepth--
	}
	if r.depth > 0 && r.bounds[r.depth-1] != "" {
		r.current = r.bounds[r.depth-1]
	}
	if row.IsHeader {
		if prevHeader && r.depth > 0 && !prevIsMessage {
			r.write("--", r.current, "\n")
		} else if !prevHeader || prevBoundary {
			r.write("\n--", r.current, "\n")
		}
	}
	r.writeBytes(row.Data)
	if row.IsHeader {
		r.write("\n")
	}
	return r.err
}

// Append writes more data of the body row last given to Row, for a reader
// that fetches a big body row in pieces: Row with the first piece, then
// Append with the rest. The output is the same as one Row with all of it
// (spec 2.5 step 7 appends the data as it is).
func (r *Rebuilder) Append(data []byte) error {
	if r.err != nil {
		return r.err
	}
	switch {
	case r.rows == 0:
		return fmt.Errorf("message: rebuild: Append before the first row")
	case r.lastSkipped:
		return nil
	case r.isHeader:
		return fmt.Errorf("message: rebuild: Append after a header row")
	}
	r.writeBytes(data)
	return r.err
}

// Close writes the final closing boundary (spec 2.5 "after the last row")
// and flushes the output.
func (r *Rebuilder) Close() error {
	if r.err != nil {
		return r.err
	}
	if r.rows > 2 && r.bounds[0] != "" {
		r.write("\n--", r.bounds[0], "--\n")
		r.bounds[0] = ""
	}
	if r.crlf != nil {
		if err := r.crlf.Close(); err != nil && r.err == nil {
			r.err = err
		}
	}
	return r.err
}

// Written reports the number of bytes emitted in the chosen form so far.
func (r *Rebuilder) Written() int64 {
	if r.crlf != nil {
		return r.crlf.Produced()
	}
	return r.written
}

// Skipped reports how many rows were ignored for being deeper than
// DBMail's MAX_MIME_DEPTH (64); callers should log a warning when non-zero.
func (r *Rebuilder) Skipped() int { return r.skipped }

func (r *Rebuilder) write(parts ...string) {
	for _, p := range parts {
		if r.err != nil {
			return
		}
		n, err := io.WriteString(r.out, p)
		r.written += int64(n)
		if err != nil {
			r.err = fmt.Errorf("message: rebuild: %w", err)
		}
	}
}

func (r *Rebuilder) writeBytes(p []byte) {
	if r.err != nil || len(p) == 0 {
		return
	}
	n, err := r.out.Write(p)
	r.written += int64(n)
	if err != nil {
		r.err = fmt.Errorf("message: rebuild: %w", err)
	}
}
