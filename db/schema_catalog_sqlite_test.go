package db_test

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/dbmail-go/dbmail/db"
)

func readSQLite(ctx context.Context, d *db.DB) (catalog, error) {
	c := catalog{Columns: map[string][]string{}, Views: map[string][]string{}}
	type object struct{ kind, name, table string }
	var objs []object
	err := rows(ctx, d, `SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name`,
		func(scan func(...any) error) error {
			var o object
			if err := scan(&o.kind, &o.name, &o.table); err != nil {
				return err
			}
			objs = append(objs, o)
			return nil
		})
	if err != nil {
		return c, err
	}
	for _, o := range objs {
		switch o.kind {
		case "table", "view":
			err = rows(ctx, d, `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid`,
				func(scan func(...any) error) error {
					var col, typ string
					var notnull, pk int
					var def sql.NullString
					if err := scan(&col, &typ, &notnull, &def, &pk); err != nil {
						return err
					}
					if o.kind == "view" {
						c.Views[o.name] = append(c.Views[o.name], col)
						return nil
					}
					line := col + " " + strings.ToUpper(typ) + " " + nn(notnull == 0)
					if pk > 0 {
						line += " PK"
					}
					c.Columns[o.name] = append(c.Columns[o.name], line+normDefault(def.String, def.Valid))
					return nil
				}, o.name)
		case "index":
			var unique, partial int
			err = d.SQL.QueryRowContext(ctx, `SELECT "unique", partial FROM pragma_index_list(?) WHERE name = ?`, o.table, o.name).Scan(&unique, &partial)
			if err != nil {
				return c, err
			}
			var cols []string
			err = rows(ctx, d, `SELECT name FROM pragma_index_info(?) ORDER BY seqno`,
				func(scan func(...any) error) error {
					var col string
					if err := scan(&col); err != nil {
						return err
					}
					cols = append(cols, col)
					return nil
				}, o.name)
			u := ""
			if unique == 1 {
				u = "UNIQUE "
			}
			line := o.table + ": " + u + o.name + " (" + strings.Join(cols, ", ") + ")"
			if partial == 1 {
				line += " partial"
			}
			c.Indexes = append(c.Indexes, line)
		case "trigger":
			c.Triggers = append(c.Triggers, o.name+" ON "+o.table)
		}
		if err != nil {
			return c, err
		}
	}
	var vacuum int
	if err := d.SQL.QueryRowContext(ctx, "PRAGMA auto_vacuum").Scan(&vacuum); err != nil {
		return c, err
	}
	c.Options = append(c.Options, "auto_vacuum="+strconv.Itoa(vacuum))
	return c, nil
}
