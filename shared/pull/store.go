package pull

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// safeName is what a path component taken from portal data may look like;
// anything else could escape the output directory.
var safeName = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z_.-]*$`)

// paths are the files of one invoice:
// OUT/{mst}/{direction}/{yyyy-mm}/{nbmst}_{khmshdon}_{khhdon}_{shdon}.{xml,json}.
type paths struct {
	dir, xml, json string
}

func invoicePaths(out, mst string, inv *gdt.Invoice) (paths, error) {
	stem := inv.Key.String()
	if !safeName.MatchString(stem) || !safeName.MatchString(mst) {
		return paths{}, hoadon.Errorf(hoadon.CodeBadData, "invoice key %q is not a safe file name", stem)
	}
	dir := filepath.Join(out, mst, string(inv.Flow.Direction()), inv.Date.Format("2006-01"))
	return paths{dir: dir, xml: filepath.Join(dir, stem+".xml"), json: filepath.Join(dir, stem+".json")}, nil
}

// exists reports whether a finished file is at p. Only finished files
// exist under their final name (see writeFile).
func exists(p string) (bool, error) {
	_, err := os.Stat(p)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	return false, err
}

// writeFile writes data to a temporary file in the target directory and
// renames it into place, so a crash never leaves a partial file under the
// final name (which a later run would then skip).
func writeFile(p string, data []byte) error {
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("pull: create %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(p)+".tmp-*")
	if err != nil {
		return fmt.Errorf("pull: %w", err)
	}
	name := tmp.Name()
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(name, 0o644)
	}
	if err == nil {
		err = os.Rename(name, p)
	}
	if err != nil {
		_ = os.Remove(name)
		return fmt.Errorf("pull: write %s: %w", p, err)
	}
	return nil
}
