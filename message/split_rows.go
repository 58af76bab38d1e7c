package message

// DefaultMaxRowSize is the most bytes one body row (a leaf body, prologue or
// epilogue: dbmail_mimeparts.data) holds; a longer text unit is written as
// several consecutive body rows with the same part_key and part_depth and
// increasing part_order. DBMail's reader (spec 2.5 steps 6–7) appends the
// data of consecutive body rows with nothing in between, so both readers
// rebuild the same text, and DBMail can still read such messages after a
// switch back.
//
// 500 KiB (512,000 bytes) because:
//   - every row then fits in one MariaDB/MySQL packet with room to spare
//     (max_allowed_packet defaults to 16 MiB on MariaDB, and even a server
//     set to 1 MiB takes a 500 KiB value);
//   - SQLite reads a blob whole for every column read or SUBSTR, so a row's
//     size bounds what one read of a big message costs in the daemon's
//     memory (and makes chunked reads linear instead of quadratic);
//   - a 25 MB attachment is 50 rows, few enough for the insert and the
//     layout query, and the 16-bit part_order of MySQL (32,767) allows text
//     units up to 16 GiB;
//   - it is just under twice the streaming readers' slice
//     (db.POP3ChunkSize, 256 KiB less 16 bytes on PostgreSQL), so a row is
//     read in two slices with their tuned buffers.
//
// Header blocks are never cut: each header row starts a new MIME header in
// the rebuild.
const DefaultMaxRowSize = 500 << 10

// minRowCut is the least share of maxRow a cut at a line end may leave in
// a row; below it the row is cut at exactly maxRow bytes.
const minRowCut = 2

// cutRows splits a body text into rows of at most maxRow bytes, each cut
// after a LF when one lies in the second half of the window (rows of whole
// lines), else at exactly maxRow bytes. A text of at most maxRow bytes,
// including an empty one, is one row.
func cutRows(data []byte, maxRow int) [][]byte {
	ranges := cutRanges(byteText(data), 0, len(data), maxRow)
	out := make([][]byte, len(ranges))
	for i, r := range ranges {
		out[i] = data[r[0]:r[1]]
	}
	return out
}

// cutRanges is cutRows for text[start:end], as ranges of the text.
func cutRanges(t text, start, end, maxRow int) [][2]int {
	if maxRow <= 0 || end-start <= maxRow {
		return [][2]int{{start, end}}
	}
	out := make([][2]int, 0, (end-start)/maxRow+1)
	for end-start > maxRow {
		at := maxRow
		if i := t.LastIndexByte(start, start+maxRow, '\n'); i >= 0 && i-start >= maxRow/minRowCut {
			at = i - start + 1
		}
		out = append(out, [2]int{start, start + at})
		start += at
	}
	if end > start {
		out = append(out, [2]int{start, end})
	}
	return out
}

// splitAllBody returns the whole stored text as body rows only: they
// rebuild (spec 2.5) by plain concatenation, whatever the text holds. It is
// the layout of last resort for a big message whose flat header+body rows
// would not rebuild once the body is cut (a header with a boundary
// parameter makes the reader close that boundary after more than two
// rows).
func splitAllBody(data []byte, maxRow int) []Part { return splitAllBodyText(byteText(data), maxRow) }

func splitAllBodyText(data text, maxRow int) []Part {
	ranges := cutRanges(data, 0, data.Len(), maxRow)
	parts := make([]Part, len(ranges))
	for i, r := range ranges {
		parts[i] = data.Row(r[0], r[1])
		parts[i].Key, parts[i].Depth, parts[i].Order = 1, 0, i
	}
	return parts
}
