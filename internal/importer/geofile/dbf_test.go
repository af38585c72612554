package geofile

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"
)

type testField struct {
	name     string
	kind     byte
	length   int
	decimals int
}

// dbfBytes builds a dBASE III table. Values are raw bytes (already in the
// table's encoding), padded here as dBASE writers do: text left-aligned,
// numbers right-aligned.
func dbfBytes(ldid byte, fields []testField, rows [][]string, deleted []bool) []byte {
	recordLen := 1
	for _, f := range fields {
		recordLen += f.length
	}
	headerLen := 32 + 32*len(fields) + 1
	b := make([]byte, 32, headerLen+recordLen*len(rows)+1)
	b[0] = 0x03
	b[1], b[2], b[3] = 122, 3, 21 // 2022-03-21
	binary.LittleEndian.PutUint32(b[4:], uint32(len(rows)))
	binary.LittleEndian.PutUint16(b[8:], uint16(headerLen))
	binary.LittleEndian.PutUint16(b[10:], uint16(recordLen))
	b[29] = ldid
	for _, f := range fields {
		d := make([]byte, 32)
		copy(d[:11], f.name)
		d[11] = f.kind
		d[16] = byte(f.length)
		d[17] = byte(f.decimals)
		b = append(b, d...)
	}
	b = append(b, 0x0D)
	for i, row := range rows {
		flag := byte(' ')
		if i < len(deleted) && deleted[i] {
			flag = '*'
		}
		b = append(b, flag)
		for j, f := range fields {
			v := row[j]
			pad := strings.Repeat(" ", max(f.length-len(v), 0))
			if f.kind == 'N' || f.kind == 'F' {
				v = pad + v
			} else {
				v += pad
			}
			b = append(b, v[:f.length]...)
		}
	}
	return append(b, 0x1A)
}

// dbfFS holds a table and, if cpg is not empty, its .cpg; it returns the
// file system and the names to give readDBF.
func dbfFS(table []byte, cpg string) (fsys fstest.MapFS, dbfPath, cpgPath string) {
	dbfPath = "t.dbf"
	fsys = fstest.MapFS{dbfPath: {Data: table}}
	if cpg != "" {
		cpgPath = "t.cpg"
		fsys[cpgPath] = &fstest.MapFile{Data: []byte(cpg)}
	}
	return fsys, dbfPath, cpgPath
}

func TestReadDBFEncoding(t *testing.T) {
	const (
		cp1252 = "P\xe9zenas \x80"             // "Pézenas €" in Windows-1252
		latin1 = "P\xe9zenas"                  // "Pézenas" in ISO-8859-1
		utf8   = "P\xc3\xa9zenas \xe2\x82\xac" // "Pézenas €" in UTF-8
	)
	tests := []struct {
		name    string
		ldid    byte
		cpg     string
		raw     string
		want    string
		wantErr string
	}{
		{"cpg 1252", 0x00, "1252", cp1252, "Pézenas €", ""},
		{"cpg CP1252", 0x00, "CP1252\r\n", cp1252, "Pézenas €", ""},
		{"cpg windows-1252", 0x00, "windows-1252", cp1252, "Pézenas €", ""},
		{"cpg ISO-8859-1", 0x57, "ISO-8859-1", latin1, "Pézenas", ""},
		{"cpg LATIN1", 0x00, "LATIN1", latin1, "Pézenas", ""},
		{"cpg 88591", 0x00, "88591", latin1, "Pézenas", ""},
		{"cpg UTF-8 overrides the driver byte", 0x57, "UTF-8", utf8, "Pézenas €", ""},
		{"cpg utf8 lower case", 0x00, "utf8", utf8, "Pézenas €", ""},
		{"driver 0x57 is cp1252", 0x57, "", cp1252, "Pézenas €", ""},
		{"driver 0x03 is cp1252", 0x03, "", cp1252, "Pézenas €", ""},
		{"driver 0x00 and valid UTF-8", 0x00, "", utf8, "Pézenas €", ""},
		{"driver 0x00 and invalid UTF-8", 0x00, "", cp1252, "Pézenas €", ""},
		{"unknown code page", 0x00, "KOI8-Z", cp1252, "", `t.cpg: unknown code page "KOI8-Z"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fields := []testField{{"NOM", 'C', 20, 0}, {"CODE", 'C', 5, 0}}
			fsys, dbfPath, cpgPath := dbfFS(dbfBytes(tc.ldid, fields, [][]string{{tc.raw, "34199"}}, nil), tc.cpg)
			table, err := readDBF(fsys, dbfPath, cpgPath)
			if tc.wantErr != "" {
				var fe *FileError
				if !errors.As(err, &fe) || fe.File != cpgPath || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want a FileError on the .cpg containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := table.rows[0]["NOM"]; got != tc.want {
				t.Errorf("NOM = %q, want %q", got, tc.want)
			}
			if got := table.rows[0]["CODE"]; got != "34199" {
				t.Errorf("CODE = %q", got)
			}
		})
	}
}

// TestReadShapefileCP1252 goes through the whole shapefile reader, .cpg
// found beside the .shp.
func TestReadShapefileCP1252(t *testing.T) {
	fx := shapefileFixture{
		shapes: []testShape{polygonShape(cwSquare(3.4, 43.4, 3.5, 43.5))},
		dbf:    dbfBytes(0x00, []testField{{"nom", 'C', 30, 0}, {"insee", 'C', 5, 0}}, [][]string{{"P\xe9zenas", "34199"}}, nil),
		cpg:    "1252",
	}
	src, err := ReadShapefile(fx.files())
	if err != nil {
		t.Fatal(err)
	}
	if got := src.Features[0].Properties["nom"]; got != "Pézenas" {
		t.Errorf("nom = %q, want Pézenas", got)
	}
	if strings.Join(src.Fields, ",") != "nom,insee" {
		t.Errorf("fields %v", src.Fields)
	}
}

// typedFields and typedRows hold a value of every field type a dBASE
// writer uses, for TestReadDBFFieldTypes and FuzzParseDBF.
var (
	typedFields = []testField{
		{"name", 'C', 12, 0},
		{"nb_com", 'N', 18, 0},
		{"rate", 'N', 10, 3},
		{"ratio", 'F', 12, 4},
		{"active", 'L', 1, 0},
		{"created", 'D', 8, 0},
		{"memo", 'M', 10, 0},
	}
	typedRows = [][]string{
		{"  Albi ", "190", "12.500", "0.1000", "T", "20220321", "42"},
		{"", "", "-0.000", "**********", "?", "", ""},
		{"x", "0007", "3", "1e3", "n", "00000000", ""},
	}
)

func TestReadDBFFieldTypes(t *testing.T) {
	fields, rows := typedFields, typedRows
	fsys, dbfPath, _ := dbfFS(dbfBytes(0x57, fields, rows, []bool{false, false, false}), "")
	table, err := readDBF(fsys, dbfPath, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]string{
		{"name": "Albi", "nb_com": "190", "rate": "12.5", "ratio": "0.1", "active": "true", "created": "2022-03-21", "memo": "42"},
		{"name": "", "nb_com": "", "rate": "0", "ratio": "", "active": "", "created": "", "memo": ""},
		{"name": "x", "nb_com": "7", "rate": "3", "ratio": "1000", "active": "false", "created": "", "memo": ""},
	}
	if strings.Join(table.fields, ",") != "name,nb_com,rate,ratio,active,created,memo" {
		t.Errorf("fields %v", table.fields)
	}
	for i, w := range want {
		for k, v := range w {
			if got := table.rows[i][k]; got != v {
				t.Errorf("row %d %s = %q, want %q", i, k, got, v)
			}
		}
	}
}

// TestReadDBFNumberInCodePage: a numeric field that does not parse is kept
// as written, decoded like text rather than left in the table's code page.
func TestReadDBFNumberInCodePage(t *testing.T) {
	tests := []struct {
		name, cpg, raw, want string
	}{
		{"Windows-1252 no-break space", "1252", "1\xa0234", "1\u00a0234"},
		{"UTF-8 no-break space", "UTF-8", "1\xc2\xa0234", "1\u00a0234"},
		{"plain number", "1252", "1234", "1234"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys, dbfPath, cpgPath := dbfFS(dbfBytes(0x00, []testField{{"pop", 'N', 10, 0}}, [][]string{{tc.raw}}, nil), tc.cpg)
			table, err := readDBF(fsys, dbfPath, cpgPath)
			if err != nil {
				t.Fatal(err)
			}
			if got := table.rows[0]["pop"]; got != tc.want {
				t.Errorf("pop = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestReadDBFDeleted(t *testing.T) {
	fields := []testField{{"code", 'C', 4, 0}}
	fsys, dbfPath, _ := dbfFS(dbfBytes(0x57, fields, [][]string{{"A"}, {"B"}, {"C"}, {"D"}}, []bool{true, false, true, false}), "")
	table, err := readDBF(fsys, dbfPath, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(table.rows) != 4 {
		t.Fatalf("%d rows, want 4 (deleted ones keep their place)", len(table.rows))
	}
	for i, want := range []string{"", "B", "", "D"} {
		row := table.rows[i]
		if (want == "") != (row == nil) || (row != nil && row["code"] != want) {
			t.Errorf("row %d = %v, want %q", i, row, want)
		}
	}
}

func TestReadDBFMalformed(t *testing.T) {
	good := dbfBytes(0x57, []testField{{"code", 'C', 4, 0}}, [][]string{{"A"}, {"B"}, {"C"}}, nil)
	tests := []struct {
		name        string
		data        []byte
		wantErr     string
		wantFeature int
	}{
		{"truncated records", good[:len(good)-4], "truncated", 2},
		{"truncated header", good[:20], "truncated", -1},
		{"header length past the end", func() []byte {
			b := append([]byte(nil), good...)
			binary.LittleEndian.PutUint16(b[8:], 5000)
			return b
		}(), "header length 5000", -1},
		{"fields wider than records", func() []byte {
			b := append([]byte(nil), good...)
			binary.LittleEndian.PutUint16(b[10:], 3)
			return b
		}(), "fields add up to 5 bytes but records are 3", -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys, dbfPath, _ := dbfFS(tc.data, "")
			_, err := readDBF(fsys, dbfPath, "")
			var fe *FileError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.wantErr) || fe.Feature != tc.wantFeature {
				t.Fatalf("err = %v, want a FileError at feature %d containing %q", err, tc.wantFeature, tc.wantErr)
			}
		})
	}
}

func TestFormatNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"   190", "190"},
		{"12.500", "12.5"},
		{"12.000", "12"},
		{"-3.25", "-3.25"},
		{"0.1", "0.1"},
		{"-0.0", "0"},
		{"1e3", "1000"},
		{"123456789012345678", "123456789012345678"},
		{"", ""},
		{"*****", ""},
		{"1,5", "1,5"},
	}
	for _, tc := range tests {
		if got := formatNumber(tc.in); got != tc.want {
			t.Errorf("formatNumber(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzParseDBF feeds parseDBF arbitrary tables and .cpg contents (cpg ""
// meaning no .cpg): it must return a table whose rows line up with the
// header's record count and hold valid UTF-8, or a FileError.
func FuzzParseDBF(f *testing.F) {
	good := dbfBytes(0x57, []testField{{"code", 'C', 4, 0}}, [][]string{{"A"}, {"B"}, {"C"}}, []bool{false, true, false})
	f.Add(good, "")
	f.Add(good[:len(good)-4], "")
	f.Add(good[:20], "")
	f.Add(dbfBytes(0x57, typedFields, typedRows, nil), "")
	f.Add(dbfBytes(0x00, []testField{{"NOM", 'C', 20, 0}, {"CODE", 'C', 5, 0}}, [][]string{{"P\xe9zenas \x80", "34199"}}, nil), "1252")
	f.Add(dbfBytes(0x00, []testField{{"NOM", 'C', 20, 0}}, [][]string{{"P\xc3\xa9zenas"}}, nil), "UTF-8")
	f.Add(dbfBytes(0x00, []testField{{"NOM", 'C', 20, 0}}, [][]string{{"x"}}, nil), "KOI8-Z")
	f.Fuzz(func(t *testing.T, data []byte, cpg string) {
		cpgName := ""
		if cpg != "" {
			cpgName = "t.cpg"
		}
		table, err := parseDBF("t.dbf", data, cpgName, []byte(cpg))
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || table != nil {
				t.Fatalf("parseDBF = %v, %v (%T); want a table or a *FileError", table, err, err)
			}
			return
		}
		if n := int(binary.LittleEndian.Uint32(data[4:8])); len(table.rows) != n {
			t.Fatalf("%d rows for %d records", len(table.rows), n)
		}
		for _, name := range table.fields {
			if !utf8.ValidString(name) {
				t.Fatalf("field name %q is not UTF-8", name)
			}
		}
		for i, row := range table.rows {
			for k, v := range row {
				if !utf8.ValidString(v) {
					t.Fatalf("row %d: %s = %q is not UTF-8", i, k, v)
				}
			}
		}
	})
}
