package db

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// SQLite incremental blob reads (https://sqlite.org/c3ref/blob_open.html).
//
// Reading a slice of a blob with SELECT SUBSTR(data, ?, ?) makes SQLite
// load the whole value first, and the driver copies every value it returns
// into a fresh Go slice: a 25 MB message read in slices cost the daemon
// (where the SQLite engine runs) tens of MB, and garbage enough to keep the
// Go heap at its goal. sqlite3_blob_read reads only the pages of the slice,
// into a buffer we reuse.
//
// modernc.org/sqlite has no Go API for it, so this reaches the connection's
// sqlite3 handle and its libc thread state through reflection on the
// driver connection (unexported fields db and tls, stable since the
// driver's first releases) and calls the transpiled C API of
// modernc.org/sqlite/lib. Should a driver release rename them, sqliteConn
// reports false and reads fall back to SUBSTR (slower and bigger, never
// wrong); TestSQLiteBlobAvailable fails so the upgrade is noticed.

// errBlobFallback says a blob read was not possible (the driver
// connection exposes no handle, or the value is not a blob SQLite can
// open) and nothing was read: the caller reads with SUBSTR instead.
var errBlobFallback = errors.New("sqlite: no incremental blob read")

// sqliteConn returns the sqlite3* handle and the libc thread state of a
// modernc.org/sqlite driver connection, as its own calls use them.
func sqliteConn(dc any) (uintptr, *libc.TLS, bool) {
	v := reflect.ValueOf(dc)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct || v.Elem().Type().PkgPath() != "modernc.org/sqlite" {
		return 0, nil, false
	}
	e := v.Elem()
	h, t := e.FieldByName("db"), e.FieldByName("tls")
	if !h.IsValid() || h.Kind() != reflect.Uintptr || h.Uint() == 0 || !t.IsValid() || t.Type() != reflect.TypeFor[*libc.TLS]() || t.IsNil() {
		return 0, nil, false
	}
	return uintptr(h.Uint()), (*libc.TLS)(t.UnsafePointer()), true
}

// SQLiteBlobAvailable reports whether reads of big parts use incremental
// blob I/O on this connection pool (SQLite only).
func (db *DB) SQLiteBlobAvailable(ctx context.Context) (bool, error) {
	if db.Dialect != SQLite {
		return false, nil
	}
	ok := false
	err := db.withRawConn(ctx, func(dc any) error {
		_, _, ok = sqliteConn(dc)
		return nil
	})
	return ok, err
}

// withRawConn runs f on the driver connection of db's pinned connection,
// or of one taken from the pool for the call.
func (db *DB) withRawConn(ctx context.Context, f func(dc any) error) error {
	conn := db.conn
	if conn == nil {
		c, err := db.SQL.Conn(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		conn = c
	}
	return conn.Raw(f)
}

// sqliteBlobChunk reads up to length bytes of column col of the row with
// rowid id of table (a {name} of the schema) from offset into dst
// (reused) with sqlite3_blob_read. A missing row is sql.ErrNoRows; when
// the blob cannot be opened this way it returns errBlobFallback, having
// read nothing.
func (db *DB) sqliteBlobChunk(ctx context.Context, table, col string, id, offset, length int64, dst []byte) ([]byte, error) {
	if offset < 0 || length < 0 || offset > 1<<31-1 || length > 1<<31-1 {
		return dst[:0], fmt.Errorf("blob slice %d+%d: %w", offset, length, ErrInvalid)
	}
	dst = dst[:0]
	err := db.withRawConn(ctx, func(dc any) error {
		h, tls, ok := sqliteConn(dc)
		if !ok {
			return errBlobFallback
		}
		names := [3]string{"main", db.Rewriter.Table(table), col}
		var cstr [3]uintptr
		for i, s := range names {
			p := sqlite3.Xsqlite3_malloc64(tls, uint64(len(s)+1))
			if p == 0 {
				return fmt.Errorf("sqlite: out of memory")
			}
			defer sqlite3.Xsqlite3_free(tls, p)
			b := libc.GoBytes(p, len(s)+1)
			copy(b, s)
			b[len(s)] = 0
			cstr[i] = p
		}
		pp := sqlite3.Xsqlite3_malloc64(tls, 8)
		if pp == 0 {
			return fmt.Errorf("sqlite: out of memory")
		}
		defer sqlite3.Xsqlite3_free(tls, pp)
		if rc := sqlite3.Xsqlite3_blob_open(tls, h, cstr[0], cstr[1], cstr[2], id, 0, pp); rc != sqlite3.SQLITE_OK {
			if msg := libc.GoString(sqlite3.Xsqlite3_errmsg(tls, h)); strings.HasPrefix(msg, "no such rowid") {
				return sql.ErrNoRows
			}
			// A value of another type, a busy database…: SUBSTR
			// reads it or reports the error.
			return errBlobFallback
		}
		blob := nativeUintptr(libc.GoBytes(pp, 8))
		defer sqlite3.Xsqlite3_blob_close(tls, blob)
		size := int64(sqlite3.Xsqlite3_blob_bytes(tls, blob))
		n := min(length, max(size-offset, 0))
		if n == 0 {
			return nil
		}
		buf := sqlite3.Xsqlite3_malloc64(tls, uint64(n))
		if buf == 0 {
			return fmt.Errorf("sqlite: out of memory (%d bytes)", n)
		}
		defer sqlite3.Xsqlite3_free(tls, buf)
		if rc := sqlite3.Xsqlite3_blob_read(tls, blob, buf, int32(n), int32(offset)); rc != sqlite3.SQLITE_OK {
			return fmt.Errorf("sqlite3_blob_read: %s", libc.GoString(sqlite3.Xsqlite3_errmsg(tls, h)))
		}
		dst = append(dst, libc.GoBytes(buf, int(n))...)
		return nil
	})
	return dst, err
}

// nativeUintptr reads a pointer-sized value that C code stored at b.
func nativeUintptr(b []byte) uintptr {
	if unsafe.Sizeof(uintptr(0)) == 4 {
		return uintptr(binary.NativeEndian.Uint32(b))
	}
	return uintptr(binary.NativeEndian.Uint64(b))
}
