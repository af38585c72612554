package geofile

import (
	"bytes"
	"encoding/binary"
	"io/fs"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// dbfTable is the attribute table of a shapefile, record i belonging to
// shape i of the .shp.
type dbfTable struct {
	fields []string
	// rows has one entry per record, deleted ones included so that indexes
	// stay aligned with the shapes; a deleted record's entry is nil.
	rows []map[string]string
}

type dbfField struct {
	name   string
	kind   byte
	offset int // from the start of the record, deletion flag included
	length int
}

// readDBF reads the dBASE table name of fsys, with the code page of the
// .cpg cpgName when there is one (cpgName != ""); see parseDBF.
func readDBF(fsys fs.FS, name, cpgName string) (*dbfTable, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	var cpg []byte
	if cpgName != "" {
		if cpg, err = fs.ReadFile(fsys, cpgName); err != nil {
			return nil, err
		}
	}
	return parseDBF(name, data, cpgName, cpg)
}

// parseDBF decodes a dBASE III table (the format every shapefile writer
// uses, later dBASE versions being compatible for our purpose) held in
// memory; name and cpgName name the files in messages. The text encoding
// comes from the .cpg content cpg when there is a .cpg (cpgName != ""),
// else from the language driver byte of the header (see decoderForCodePage
// and decoderForLDID).
func parseDBF(name string, data []byte, cpgName string, cpg []byte) (*dbfTable, error) {
	if len(data) < 32 {
		return nil, fileErr(name, -1, "truncated: %d bytes, shorter than a dBASE header", len(data))
	}
	numRecords := int(binary.LittleEndian.Uint32(data[4:8]))
	headerLen := int(binary.LittleEndian.Uint16(data[8:10]))
	recordLen := int(binary.LittleEndian.Uint16(data[10:12]))
	ldid := data[29]
	if headerLen < 33 || headerLen > len(data) {
		return nil, fileErr(name, -1, "header length %d is impossible for a %d-byte file", headerLen, len(data))
	}
	if recordLen < 1 {
		return nil, fileErr(name, -1, "record length %d is impossible", recordLen)
	}

	// Checked before anything is allocated for the records, so that a
	// corrupt count cannot exhaust memory.
	if complete := (len(data) - headerLen) / recordLen; numRecords > complete {
		return nil, fileErr(name, complete, "truncated: the header announces %d records of %d bytes but the file holds only %d",
			numRecords, recordLen, complete)
	}

	var dec *textDecoder
	if cpgName != "" {
		cp := strings.TrimSpace(strings.TrimPrefix(string(cpg), "\uFEFF"))
		if dec = decoderForCodePage(cp); dec == nil {
			return nil, fileErr(cpgName, -1, "unknown code page %q (expected e.g. UTF-8, 1252, ISO-8859-1)", cp)
		}
	} else {
		dec = decoderForLDID(ldid, data[headerLen:headerLen+numRecords*recordLen])
	}

	// Field descriptors: 32 bytes each, up to a 0x0D terminator.
	var fields []dbfField
	offset := 1 // deletion flag
	for pos := 32; pos+32 <= headerLen && data[pos] != 0x0D; pos += 32 {
		d := data[pos : pos+32]
		rawName := d[:11]
		if i := bytes.IndexByte(rawName, 0); i >= 0 {
			rawName = rawName[:i]
		}
		f := dbfField{
			name:   strings.TrimSpace(dec.decode(rawName)),
			kind:   d[11],
			offset: offset,
			length: int(d[16]),
		}
		fields = append(fields, f)
		offset += f.length
	}
	if offset > recordLen {
		return nil, fileErr(name, -1, "fields add up to %d bytes but records are %d bytes long", offset, recordLen)
	}

	t := &dbfTable{fields: make([]string, len(fields)), rows: make([]map[string]string, numRecords)}
	for i, f := range fields {
		t.fields[i] = f.name
	}
	for i := range numRecords {
		start := headerLen + i*recordLen
		rec := data[start : start+recordLen]
		if rec[0] == '*' {
			continue // deleted: keeps its index, carries no attributes
		}
		row := make(map[string]string, len(fields))
		for _, f := range fields {
			row[f.name] = dbfValue(f.kind, rec[f.offset:f.offset+f.length], dec)
		}
		t.rows[i] = row
	}
	return t, nil
}

// dbfValue renders one field as text: the importer compares codes and names
// as strings, and numbers are only ever displayed, so a uniform text form is
// simpler than typed values.
func dbfValue(kind byte, raw []byte, dec *textDecoder) string {
	raw = bytes.Trim(raw, " \x00")
	switch kind {
	case 'N', 'F':
		// Decoded first: a number that does not parse is kept as written,
		// and "1 234" may hold a code page's no-break space.
		return formatNumber(dec.decode(raw))
	case 'L':
		if len(raw) == 0 {
			return ""
		}
		switch raw[0] {
		case 'T', 't', 'Y', 'y':
			return "true"
		case 'F', 'f', 'N', 'n':
			return "false"
		}
		return "" // '?' means unknown
	case 'D':
		// YYYYMMDD, shown as ISO 8601 so that dates sort and parse as text.
		if len(raw) == 8 && isDigits(raw) {
			if string(raw) == "00000000" {
				return ""
			}
			return string(raw[:4]) + "-" + string(raw[4:6]) + "-" + string(raw[6:])
		}
		return dec.decode(raw)
	default:
		return dec.decode(raw)
	}
}

// formatNumber prints a dBASE number without padding or trailing zeros:
// N(18,0) "   190" becomes "190", N(10,3) "12.500" becomes "12.5". Integers
// are kept digit for digit, so that codes longer than a float64's precision
// survive. Fields filled with '*' (overflow in dBASE) are empty; anything
// else that does not parse is kept as written rather than lost.
func formatNumber(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.Trim(s, "*") == "" {
		return ""
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return strconv.FormatInt(n, 10)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	if f == 0 {
		return "0" // not "-0"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// textDecoder turns DBF bytes into UTF-8. Single-byte code pages go through
// a 256-entry table rather than an x/text Transformer, which would allocate
// for every value.
type textDecoder struct {
	utf8  bool
	table *[256]rune
}

func (d *textDecoder) decode(b []byte) string {
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b)
	}
	if d.utf8 {
		// A fixed-width field may cut a multi-byte character in two.
		return strings.TrimSpace(strings.ToValidUTF8(string(b), "\uFFFD"))
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = d.table[c]
	}
	return strings.TrimSpace(string(r))
}

var utf8Decoder = &textDecoder{utf8: true}

func charmapDecoder(cm *charmap.Charmap) *textDecoder {
	t := new([256]rune)
	for i := range t {
		t[i] = cm.DecodeByte(byte(i))
	}
	return &textDecoder{table: t}
}

// decoderForCodePage understands the names found in .cpg files, which vary
// between writers: ESRI writes "UTF-8" or a bare code page number such as
// "1252" or "88591", GDAL "ISO-8859-1", others "CP1252" or "LATIN1".
func decoderForCodePage(name string) *textDecoder {
	key := strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToUpper(name))
	switch key {
	case "UTF8", "65001", "ASCII", "USASCII":
		return utf8Decoder
	case "1252", "CP1252", "WINDOWS1252", "WIN1252", "ANSI1252", "ANSI":
		return charmapDecoder(charmap.Windows1252)
	case "88591", "ISO88591", "LATIN1", "L1", "IBM819", "CP819":
		return charmapDecoder(charmap.ISO8859_1)
	case "885915", "ISO885915", "LATIN9", "L9":
		return charmapDecoder(charmap.ISO8859_15)
	case "1250", "CP1250", "WINDOWS1250", "ANSI1250":
		return charmapDecoder(charmap.Windows1250)
	case "850", "CP850", "IBM850", "OEM850":
		return charmapDecoder(charmap.CodePage850)
	case "437", "CP437", "IBM437", "OEM437":
		return charmapDecoder(charmap.CodePage437)
	}
	return nil
}

// decoderForLDID picks the encoding from the language driver byte (offset
// 29 of the header) when there is no .cpg. Many writers leave that byte at 0;
// French files without a .cpg are then most often Windows-1252, but recent
// GDAL and QGIS write UTF-8, so the records decide: valid UTF-8 is taken as
// UTF-8 (accented Latin-1 text is almost never valid UTF-8).
func decoderForLDID(ldid byte, records []byte) *textDecoder {
	switch ldid {
	case 0x01:
		return charmapDecoder(charmap.CodePage437)
	case 0x02:
		return charmapDecoder(charmap.CodePage850)
	case 0x03, 0x57, 0x58, 0x59:
		return charmapDecoder(charmap.Windows1252)
	case 0x64:
		return charmapDecoder(charmap.CodePage852)
	case 0xC8:
		return charmapDecoder(charmap.Windows1250)
	}
	if utf8.Valid(records) {
		return utf8Decoder
	}
	return charmapDecoder(charmap.Windows1252)
}
