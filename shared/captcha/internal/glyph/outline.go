package glyph

import "fmt"

// Point is a position in SVG user units.
type Point struct{ X, Y float64 }

// curveSteps is how many line segments approximate one Bézier curve when a
// glyph is flattened; glyph curves span a few pixels, so 8 is plenty.
const curveSteps = 8

// Outline flattens path data into closed polygons (one per sub-path), with
// every curve replaced by curveSteps line segments. It accepts the same
// commands as Scan and is used to rasterise a captcha, not on the solve path.
func Outline(d string) ([][]Point, error) {
	o := outliner{}
	if err := o.parse(d); err != nil {
		return nil, err
	}
	o.closeSub()
	return o.polys, nil
}

type outliner struct {
	polys [][]Point
	cur   []Point
	cmd   byte
	nums  []float64
}

func (o *outliner) parse(d string) error {
	for i := 0; i < len(d); {
		c := d[i]
		switch {
		case c == ' ' || c == ',' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '-' || c == '.' || (c >= '0' && c <= '9'):
			n, v, err := number(d[i:])
			if err != nil {
				return err
			}
			o.nums = append(o.nums, v)
			if err := o.apply(); err != nil {
				return err
			}
			i += n
		default:
			if err := o.start(c); err != nil {
				return err
			}
			i++
		}
	}
	if len(o.nums) != 0 {
		return fmt.Errorf("glyph: command %q has dangling numbers", o.cmd)
	}
	return nil
}

// start begins command c; Z closes the current sub-path immediately.
func (o *outliner) start(c byte) error {
	if len(o.nums) != 0 {
		return fmt.Errorf("glyph: command %q has dangling numbers", o.cmd)
	}
	switch c {
	case 'M':
		o.closeSub()
	case 'L', 'Q', 'C', 'S', 'T':
		if len(o.cur) == 0 {
			return fmt.Errorf("glyph: %q before M", c)
		}
	case 'Z':
		o.closeSub()
	default:
		return fmt.Errorf("glyph: unsupported path command %q", c)
	}
	o.cmd = c
	return nil
}

// arity is the number of parameters one repetition of a command takes.
func arity(c byte) int {
	switch c {
	case 'M', 'L', 'T':
		return 2
	case 'Q', 'S':
		return 4
	case 'C':
		return 6
	}
	return 0
}

// apply consumes o.nums once a full parameter set for o.cmd is present.
func (o *outliner) apply() error {
	n := arity(o.cmd)
	if n == 0 {
		return fmt.Errorf("glyph: numbers after %q", o.cmd)
	}
	if len(o.nums) < n {
		return nil
	}
	v := o.nums
	o.nums = o.nums[:0]
	switch o.cmd {
	case 'M', 'L', 'T':
		o.cur = append(o.cur, Point{v[0], v[1]})
	case 'Q', 'S':
		o.quad(Point{v[0], v[1]}, Point{v[2], v[3]})
	case 'C':
		o.cubic(Point{v[0], v[1]}, Point{v[2], v[3]}, Point{v[4], v[5]})
	}
	return nil
}

func (o *outliner) quad(c, e Point) {
	s := o.cur[len(o.cur)-1]
	for k := 1; k <= curveSteps; k++ {
		t := float64(k) / curveSteps
		u := 1 - t
		o.cur = append(o.cur, Point{
			u*u*s.X + 2*u*t*c.X + t*t*e.X,
			u*u*s.Y + 2*u*t*c.Y + t*t*e.Y,
		})
	}
}

func (o *outliner) cubic(c1, c2, e Point) {
	s := o.cur[len(o.cur)-1]
	for k := 1; k <= curveSteps; k++ {
		t := float64(k) / curveSteps
		u := 1 - t
		a, b, c, d := u*u*u, 3*u*u*t, 3*u*t*t, t*t*t
		o.cur = append(o.cur, Point{
			a*s.X + b*c1.X + c*c2.X + d*e.X,
			a*s.Y + b*c1.Y + c*c2.Y + d*e.Y,
		})
	}
}

func (o *outliner) closeSub() {
	if len(o.cur) > 2 {
		o.polys = append(o.polys, o.cur)
	}
	o.cur = nil
}
