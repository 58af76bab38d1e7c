package db_test

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/dbmail-go/dbmail/db"
)

func readMySQL(ctx context.Context, d *db.DB) (catalog, error) {
	c := catalog{Columns: map[string][]string{}, Views: map[string][]string{}}
	err := rows(ctx, d, `SELECT c.table_name, t.table_type, c.column_name, c.column_type,
			c.is_nullable, c.column_default, c.extra
		FROM information_schema.columns c
		JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = DATABASE()
		ORDER BY c.table_name, c.ordinal_position`,
		func(scan func(...any) error) error {
			var table, kind, col, typ, nullable, extra string
			var def sql.NullString
			if err := scan(&table, &kind, &col, &typ, &nullable, &def, &extra); err != nil {
				return err
			}
			if kind == "VIEW" {
				c.Views[table] = append(c.Views[table], col)
				return nil
			}
			// MariaDB and MySQL 5.x print integer display widths, MySQL 8
			// does not (except tinyint(1)); compare without them.
			typ = intWidth.ReplaceAllString(typ, "$1")
			if m := tinyWidth.FindStringSubmatch(typ); m != nil && m[1] != "1" {
				typ = strings.Replace(typ, m[0], "tinyint", 1)
			}
			line := col + " " + typ + " " + nn(nullable == "YES")
			if strings.Contains(strings.ToLower(extra), "auto_increment") {
				line += " AI"
			}
			c.Columns[table] = append(c.Columns[table], line+normDefault(def.String, def.Valid))
			return nil
		})
	if err != nil {
		return c, err
	}
	type index struct {
		table, name string
		unique      bool
		cols        []string
	}
	var order []string
	idx := map[string]*index{}
	err = rows(ctx, d, `SELECT table_name, index_name, non_unique, column_name, sub_part
		FROM information_schema.statistics WHERE table_schema = DATABASE()
		ORDER BY table_name, index_name, seq_in_index`,
		func(scan func(...any) error) error {
			var table, name, col string
			var nonUnique int
			var sub sql.NullInt64
			if err := scan(&table, &name, &nonUnique, &col, &sub); err != nil {
				return err
			}
			key := table + "\x00" + name
			if idx[key] == nil {
				idx[key] = &index{table: table, name: name, unique: nonUnique == 0}
				order = append(order, key)
			}
			if sub.Valid {
				col += "(" + strconv.FormatInt(sub.Int64, 10) + ")"
			}
			idx[key].cols = append(idx[key].cols, col)
			return nil
		})
	if err != nil {
		return c, err
	}
	for _, k := range order {
		i := idx[k]
		u := ""
		if i.unique {
			u = "UNIQUE "
		}
		c.Indexes = append(c.Indexes, i.table+": "+u+i.name+" ("+strings.Join(i.cols, ", ")+")")
	}
	err = rows(ctx, d, `SELECT k.table_name, k.constraint_name, k.column_name, k.referenced_table_name,
			k.referenced_column_name, r.delete_rule, r.update_rule
		FROM information_schema.key_column_usage k
		JOIN information_schema.referential_constraints r
		  ON r.constraint_schema = k.constraint_schema AND r.constraint_name = k.constraint_name AND r.table_name = k.table_name
		WHERE k.table_schema = DATABASE() AND k.referenced_table_name IS NOT NULL`,
		func(scan func(...any) error) error {
			var table, name, col, parent, pcol, del, upd string
			if err := scan(&table, &name, &col, &parent, &pcol, &del, &upd); err != nil {
				return err
			}
			c.Constraints = append(c.Constraints, table+": "+name+" ("+col+") -> "+parent+"("+pcol+") ON DELETE "+del+" ON UPDATE "+upd)
			return nil
		})
	if err != nil {
		return c, err
	}
	err = rows(ctx, d, `SELECT table_name, engine, table_collation, create_options
		FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'`,
		func(scan func(...any) error) error {
			var table, engine, collation, opts sql.NullString
			if err := scan(&table, &engine, &collation, &opts); err != nil {
				return err
			}
			charset, _, _ := strings.Cut(collation.String, "_")
			line := table.String + ": " + engine.String + " " + charset
			for _, o := range strings.Fields(opts.String) {
				if strings.HasPrefix(strings.ToLower(o), "row_format=") {
					line += " " + strings.ToLower(o)
				}
			}
			c.Options = append(c.Options, line)
			return nil
		})
	if err != nil {
		return c, err
	}
	var charset string
	if err := d.SQL.QueryRowContext(ctx, "SELECT @@character_set_database").Scan(&charset); err != nil {
		return c, err
	}
	c.Options = append(c.Options, "database: "+charset)
	return c, nil
}
