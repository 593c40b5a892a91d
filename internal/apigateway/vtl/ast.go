package vtl

// node is one element of a parsed template body.
type node interface{ isNode() }

type textNode struct{ text string }

// refNode is a reference such as $foo, $!foo.bar(1), ${foo['k']}.
type refNode struct {
	name  string
	chain []accessor
	// raw is the source text, rendered when the reference is null.
	raw string
}

// accessor is one step after a reference's root: .prop, .method(args), [index].
type accessor struct {
	kind  accessKind
	name  string
	args  []expr
	index expr
}

type accessKind int

const (
	accessProp accessKind = iota
	accessMethod
	accessIndex
)

type setNode struct {
	target *refNode
	value  expr
}

type ifBranch struct {
	cond expr
	body []node
}

type ifNode struct {
	branches []ifBranch
	elseBody []node
}

type foreachNode struct {
	varName string
	iter    expr
	body    []node
}

type breakNode struct{}

type stopNode struct{}

func (*textNode) isNode()    {}
func (*refNode) isNode()     {}
func (*setNode) isNode()     {}
func (*ifNode) isNode()      {}
func (*foreachNode) isNode() {}
func (*breakNode) isNode()   {}
func (*stopNode) isNode()    {}

// expr is an expression inside a directive or a method argument.
type expr interface{ isExpr() }

type literalExpr struct{ value any }

// interpExpr is a double-quoted string with references in it.
type interpExpr struct{ parts []node }

type listExpr struct{ items []expr }

type rangeExpr struct{ from, to expr }

type mapExpr struct {
	keys   []expr
	values []expr
}

type refExpr struct{ ref *refNode }

type unaryExpr struct {
	op      string
	operand expr
}

type binaryExpr struct {
	op          string
	left, right expr
}

func (*literalExpr) isExpr() {}
func (*interpExpr) isExpr()  {}
func (*listExpr) isExpr()    {}
func (*rangeExpr) isExpr()   {}
func (*mapExpr) isExpr()     {}
func (*refExpr) isExpr()     {}
func (*unaryExpr) isExpr()   {}
func (*binaryExpr) isExpr()  {}
