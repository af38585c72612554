package importer

import (
	"encoding/csv"
	"io"
	"strings"
)

// newCSVReader reads a CSV whose separator is ';' or ',' (French files use
// the former), guessed from the header line; a UTF-8 BOM is skipped. Both
// the values of an indicator and the parent table of a territory import
// come from spreadsheets exported with either separator.
func newCSVReader(f io.ReadSeeker) (*csv.Reader, error) {
	head := make([]byte, 4096)
	n, err := f.Read(head)
	if err != nil && err != io.EOF {
		return nil, err
	}
	head = head[:n]
	skip := int64(0)
	if len(head) >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF {
		skip = 3
		head = head[3:]
	}
	first := string(head)
	if i := strings.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	sep := ','
	if strings.Count(first, ";") > strings.Count(first, ",") {
		sep = ';'
	}
	if _, err := f.Seek(skip, io.SeekStart); err != nil {
		return nil, err
	}
	r := csv.NewReader(f)
	r.Comma = sep
	return r, nil
}
