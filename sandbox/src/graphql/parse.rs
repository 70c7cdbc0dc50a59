//! A parser for GraphQL executable documents (operations and fragments).
//!
//! It covers the whole executable grammar the sandbox needs: operations with
//! variable definitions, fields with aliases and arguments, all literal kinds,
//! variables, directives, fragment spreads and inline fragments. Syntax errors
//! are reported the way graphql-java (the vendor's engine) words them.

use std::collections::HashMap;

/// A line/column position, both 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pos {
    pub line: usize,
    pub column: usize,
}

/// A value literal or variable reference.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Variable(String),
    Int(i64),
    Float(f64),
    String(String),
    Boolean(bool),
    Null,
    Enum(String),
    List(Vec<Value>),
    Object(Vec<(String, Value)>),
}

/// `@name(args)`.
#[derive(Debug, Clone)]
pub(crate) struct Directive {
    pub name: String,
    pub arguments: Vec<(String, Value)>,
}

/// A field selection.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub alias: Option<String>,
    pub name: String,
    pub arguments: Vec<(String, Value)>,
    pub directives: Vec<Directive>,
    pub selection: Vec<Selection>,
    pub pos: Pos,
}

impl Field {
    /// The key of this field in the response.
    pub(crate) fn response_key(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.name)
    }
}

/// One entry of a selection set.
#[derive(Debug, Clone)]
pub(crate) enum Selection {
    Field(Field),
    InlineFragment {
        type_condition: Option<String>,
        directives: Vec<Directive>,
        selection: Vec<Selection>,
        pos: Pos,
    },
    FragmentSpread {
        name: String,
        directives: Vec<Directive>,
        pos: Pos,
    },
}

/// `query`, `mutation` or `subscription`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OperationKind {
    Query,
    Mutation,
    Subscription,
}

/// An operation definition.
#[derive(Debug, Clone)]
pub(crate) struct Operation {
    pub kind: OperationKind,
    pub name: Option<String>,
    /// Variable names with their default values.
    pub variables: Vec<(String, Option<Value>)>,
    pub selection: Vec<Selection>,
}

/// A named fragment definition.
#[derive(Debug, Clone)]
pub(crate) struct Fragment {
    pub type_condition: String,
    pub selection: Vec<Selection>,
}

/// A parsed document.
#[derive(Debug, Clone, Default)]
pub(crate) struct Document {
    pub operations: Vec<Operation>,
    pub fragments: HashMap<String, Fragment>,
}

/// A syntax error.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SyntaxError {
    pub message: String,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Punct(char),
    Spread,
    Name(String),
    Int(String),
    Float(String),
    Str(String),
    Eof,
}

impl Tok {
    fn text(&self) -> String {
        match self {
            Tok::Punct(c) => c.to_string(),
            Tok::Spread => "...".into(),
            Tok::Name(s) | Tok::Int(s) | Tok::Float(s) => s.clone(),
            Tok::Str(s) => format!("\"{s}\""),
            Tok::Eof => "<EOF>".into(),
        }
    }
}

struct Lexer {
    chars: Vec<char>,
    i: usize,
    line: usize,
    col: usize,
}

impl Lexer {
    fn peek(&self, k: usize) -> Option<char> {
        self.chars.get(self.i + k).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.get(self.i).copied()?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else if c == '\r' {
            if self.peek(0) != Some('\n') {
                self.line += 1;
                self.col = 1;
            }
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            column: self.col,
        }
    }

    fn err(&self, pos: Pos, offending: &str) -> SyntaxError {
        SyntaxError {
            message: format!(
                "Invalid Syntax : offending token '{offending}' at line {} column {}",
                pos.line, pos.column
            ),
            pos,
        }
    }

    fn skip_ignored(&mut self) {
        while let Some(c) = self.peek(0) {
            match c {
                ' ' | '\t' | '\n' | '\r' | ',' | '\u{feff}' => {
                    self.bump();
                }
                '#' => {
                    while let Some(c) = self.peek(0) {
                        if c == '\n' || c == '\r' {
                            break;
                        }
                        self.bump();
                    }
                }
                _ => break,
            }
        }
    }

    fn next(&mut self) -> Result<(Tok, Pos), SyntaxError> {
        self.skip_ignored();
        let pos = self.pos();
        let Some(c) = self.peek(0) else {
            return Ok((Tok::Eof, pos));
        };
        let tok = match c {
            '!' | '$' | '&' | '(' | ')' | ':' | '=' | '@' | '[' | ']' | '{' | '|' | '}' => {
                self.bump();
                Tok::Punct(c)
            }
            '.' => {
                if self.peek(1) == Some('.') && self.peek(2) == Some('.') {
                    self.bump();
                    self.bump();
                    self.bump();
                    Tok::Spread
                } else {
                    return Err(self.err(pos, "."));
                }
            }
            '"' => self.string(pos)?,
            c if c == '_' || c.is_ascii_alphabetic() => {
                let mut s = String::new();
                while let Some(c) = self.peek(0) {
                    if c == '_' || c.is_ascii_alphanumeric() {
                        s.push(c);
                        self.bump();
                    } else {
                        break;
                    }
                }
                Tok::Name(s)
            }
            c if c == '-' || c.is_ascii_digit() => self.number(pos)?,
            c => return Err(self.err(pos, &c.to_string())),
        };
        Ok((tok, pos))
    }

    fn number(&mut self, pos: Pos) -> Result<Tok, SyntaxError> {
        let mut s = String::new();
        let mut float = false;
        if self.peek(0) == Some('-') {
            s.push('-');
            self.bump();
        }
        let digits = |lx: &mut Lexer, s: &mut String| {
            let mut any = false;
            while let Some(c) = lx.peek(0).filter(char::is_ascii_digit) {
                s.push(c);
                lx.bump();
                any = true;
            }
            any
        };
        if !digits(self, &mut s) {
            return Err(self.err(pos, &s));
        }
        if self.peek(0) == Some('.') {
            float = true;
            s.push('.');
            self.bump();
            if !digits(self, &mut s) {
                return Err(self.err(pos, &s));
            }
        }
        if matches!(self.peek(0), Some('e' | 'E')) {
            float = true;
            s.push('e');
            self.bump();
            if let Some(sign @ ('+' | '-')) = self.peek(0) {
                s.push(sign);
                self.bump();
            }
            if !digits(self, &mut s) {
                return Err(self.err(pos, &s));
            }
        }
        Ok(if float { Tok::Float(s) } else { Tok::Int(s) })
    }

    fn string(&mut self, pos: Pos) -> Result<Tok, SyntaxError> {
        if self.peek(1) == Some('"') && self.peek(2) == Some('"') {
            return self.block_string(pos);
        }
        self.bump();
        let mut s = String::new();
        loop {
            match self.bump() {
                None | Some('\n') | Some('\r') => return Err(self.err(pos, &format!("\"{s}"))),
                Some('"') => return Ok(Tok::Str(s)),
                Some('\\') => {
                    let escaped = match self.bump() {
                        Some('"') => '"',
                        Some('\\') => '\\',
                        Some('/') => '/',
                        Some('b') => '\u{8}',
                        Some('f') => '\u{c}',
                        Some('n') => '\n',
                        Some('r') => '\r',
                        Some('t') => '\t',
                        Some('u') => {
                            let hex: String = (0..4).filter_map(|_| self.bump()).collect();
                            u32::from_str_radix(&hex, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .ok_or_else(|| self.err(pos, &format!("\\u{hex}")))?
                        }
                        _ => return Err(self.err(pos, &format!("\"{s}\\"))),
                    };
                    s.push(escaped);
                }
                Some(c) => s.push(c),
            }
        }
    }

    fn block_string(&mut self, pos: Pos) -> Result<Tok, SyntaxError> {
        for _ in 0..3 {
            self.bump();
        }
        let mut raw = String::new();
        loop {
            if self.peek(0) == Some('"') && self.peek(1) == Some('"') && self.peek(2) == Some('"') {
                for _ in 0..3 {
                    self.bump();
                }
                break;
            }
            if self.peek(0) == Some('\\')
                && self.peek(1) == Some('"')
                && self.peek(2) == Some('"')
                && self.peek(3) == Some('"')
            {
                self.bump();
                for _ in 0..3 {
                    raw.push('"');
                    self.bump();
                }
                continue;
            }
            match self.bump() {
                Some(c) => raw.push(c),
                None => return Err(self.err(pos, "\"\"\"")),
            }
        }
        Ok(Tok::Str(block_string_value(&raw)))
    }
}

/// Removes the common indentation and blank first/last lines of a block string.
fn block_string_value(raw: &str) -> String {
    let lines: Vec<&str> = raw.lines().collect();
    let indent = lines
        .iter()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    let mut out: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                (*l).to_owned()
            } else {
                l.get(indent..).unwrap_or("").to_owned()
            }
        })
        .collect();
    while out.first().is_some_and(|l| l.trim().is_empty()) {
        out.remove(0);
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    out.join("\n")
}

struct Parser {
    lexer: Lexer,
    tok: Tok,
    pos: Pos,
}

/// Parses an executable document.
pub(crate) fn parse(source: &str) -> Result<Document, SyntaxError> {
    let mut lexer = Lexer {
        chars: source.chars().collect(),
        i: 0,
        line: 1,
        col: 1,
    };
    let (tok, pos) = lexer.next()?;
    let mut p = Parser { lexer, tok, pos };
    let mut doc = Document::default();
    if p.tok == Tok::Eof {
        return Err(p.unexpected());
    }
    while p.tok != Tok::Eof {
        match &p.tok {
            Tok::Punct('{') => {
                let selection = p.selection_set()?;
                doc.operations.push(Operation {
                    kind: OperationKind::Query,
                    name: None,
                    variables: Vec::new(),
                    selection,
                });
            }
            Tok::Name(n) if n == "fragment" => {
                p.advance()?;
                let name = p.name()?;
                p.keyword("on")?;
                let type_condition = p.name()?;
                p.directives()?;
                let selection = p.selection_set()?;
                doc.fragments.insert(
                    name,
                    Fragment {
                        type_condition,
                        selection,
                    },
                );
            }
            Tok::Name(n) if matches!(n.as_str(), "query" | "mutation" | "subscription") => {
                let kind = match n.as_str() {
                    "query" => OperationKind::Query,
                    "mutation" => OperationKind::Mutation,
                    _ => OperationKind::Subscription,
                };
                p.advance()?;
                let name = match &p.tok {
                    Tok::Name(_) => Some(p.name()?),
                    _ => None,
                };
                let variables = p.variable_definitions()?;
                p.directives()?;
                let selection = p.selection_set()?;
                doc.operations.push(Operation {
                    kind,
                    name,
                    variables,
                    selection,
                });
            }
            _ => return Err(p.unexpected()),
        }
    }
    Ok(doc)
}

impl Parser {
    fn advance(&mut self) -> Result<(), SyntaxError> {
        let (tok, pos) = self.lexer.next()?;
        self.tok = tok;
        self.pos = pos;
        Ok(())
    }

    fn unexpected(&self) -> SyntaxError {
        self.lexer.err(self.pos, &self.tok.text())
    }

    fn expect(&mut self, c: char) -> Result<(), SyntaxError> {
        if self.tok == Tok::Punct(c) {
            self.advance()
        } else {
            Err(self.unexpected())
        }
    }

    fn eat(&mut self, c: char) -> Result<bool, SyntaxError> {
        if self.tok == Tok::Punct(c) {
            self.advance()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn name(&mut self) -> Result<String, SyntaxError> {
        match &self.tok {
            Tok::Name(n) => {
                let n = n.clone();
                self.advance()?;
                Ok(n)
            }
            _ => Err(self.unexpected()),
        }
    }

    fn keyword(&mut self, word: &str) -> Result<(), SyntaxError> {
        match &self.tok {
            Tok::Name(n) if n == word => self.advance(),
            _ => Err(self.unexpected()),
        }
    }

    fn variable_definitions(&mut self) -> Result<Vec<(String, Option<Value>)>, SyntaxError> {
        let mut vars = Vec::new();
        if !self.eat('(')? {
            return Ok(vars);
        }
        loop {
            self.expect('$')?;
            let name = self.name()?;
            self.expect(':')?;
            self.type_ref()?;
            let default = if self.eat('=')? {
                Some(self.value(true)?)
            } else {
                None
            };
            self.directives()?;
            vars.push((name, default));
            if self.eat(')')? {
                return Ok(vars);
            }
        }
    }

    fn type_ref(&mut self) -> Result<(), SyntaxError> {
        if self.eat('[')? {
            self.type_ref()?;
            self.expect(']')?;
        } else {
            self.name()?;
        }
        self.eat('!')?;
        Ok(())
    }

    fn directives(&mut self) -> Result<Vec<Directive>, SyntaxError> {
        let mut out = Vec::new();
        while self.eat('@')? {
            let name = self.name()?;
            let arguments = self.arguments()?;
            out.push(Directive { name, arguments });
        }
        Ok(out)
    }

    fn arguments(&mut self) -> Result<Vec<(String, Value)>, SyntaxError> {
        let mut args = Vec::new();
        if !self.eat('(')? {
            return Ok(args);
        }
        loop {
            let name = self.name()?;
            self.expect(':')?;
            args.push((name, self.value(false)?));
            if self.eat(')')? {
                return Ok(args);
            }
        }
    }

    fn selection_set(&mut self) -> Result<Vec<Selection>, SyntaxError> {
        self.expect('{')?;
        let mut out = Vec::new();
        loop {
            if self.eat('}')? {
                if out.is_empty() {
                    return Err(self.lexer.err(self.pos, "}"));
                }
                return Ok(out);
            }
            out.push(self.selection()?);
        }
    }

    fn selection(&mut self) -> Result<Selection, SyntaxError> {
        let pos = self.pos;
        if self.tok == Tok::Spread {
            self.advance()?;
            return match &self.tok {
                Tok::Name(n) if n == "on" => {
                    self.advance()?;
                    let type_condition = Some(self.name()?);
                    let directives = self.directives()?;
                    let selection = self.selection_set()?;
                    Ok(Selection::InlineFragment {
                        type_condition,
                        directives,
                        selection,
                        pos,
                    })
                }
                Tok::Name(_) => {
                    let name = self.name()?;
                    let directives = self.directives()?;
                    Ok(Selection::FragmentSpread {
                        name,
                        directives,
                        pos,
                    })
                }
                _ => {
                    let directives = self.directives()?;
                    let selection = self.selection_set()?;
                    Ok(Selection::InlineFragment {
                        type_condition: None,
                        directives,
                        selection,
                        pos,
                    })
                }
            };
        }
        let first = self.name()?;
        let (alias, name) = if self.eat(':')? {
            (Some(first), self.name()?)
        } else {
            (None, first)
        };
        let arguments = self.arguments()?;
        let directives = self.directives()?;
        let selection = if self.tok == Tok::Punct('{') {
            self.selection_set()?
        } else {
            Vec::new()
        };
        Ok(Selection::Field(Field {
            alias,
            name,
            arguments,
            directives,
            selection,
            pos,
        }))
    }

    fn value(&mut self, constant: bool) -> Result<Value, SyntaxError> {
        let v = match self.tok.clone() {
            Tok::Punct('$') if !constant => {
                self.advance()?;
                return Ok(Value::Variable(self.name()?));
            }
            Tok::Int(s) => Value::Int(s.parse().map_err(|_| self.unexpected())?),
            Tok::Float(s) => Value::Float(s.parse().map_err(|_| self.unexpected())?),
            Tok::Str(s) => Value::String(s),
            Tok::Name(n) => match n.as_str() {
                "true" => Value::Boolean(true),
                "false" => Value::Boolean(false),
                "null" => Value::Null,
                _ => Value::Enum(n),
            },
            Tok::Punct('[') => {
                self.advance()?;
                let mut items = Vec::new();
                while !self.eat(']')? {
                    items.push(self.value(constant)?);
                }
                return Ok(Value::List(items));
            }
            Tok::Punct('{') => {
                self.advance()?;
                let mut fields = Vec::new();
                while !self.eat('}')? {
                    let name = self.name()?;
                    self.expect(':')?;
                    fields.push((name, self.value(constant)?));
                }
                return Ok(Value::Object(fields));
            }
            _ => return Err(self.unexpected()),
        };
        self.advance()?;
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_lean_ix_query() {
        let doc = parse(
            r#"query Apps($first: Int = 10, $after: String) {
                 allFactSheets(first: $first, after: $after,
                   filter: {facetFilters: [{facetKey: "FactSheetTypes", keys: ["Application"]}]}) {
                   totalCount
                   pageInfo { hasNextPage endCursor }
                   edges { node { id name ... on Application { release } ...More } }
                 }
               }
               fragment More on BaseFactSheet { displayName }"#,
        )
        .unwrap();
        let op = &doc.operations[0];
        assert_eq!(op.name.as_deref(), Some("Apps"));
        assert_eq!(op.variables[0], ("first".into(), Some(Value::Int(10))));
        let Selection::Field(f) = &op.selection[0] else {
            panic!()
        };
        assert_eq!(f.name, "allFactSheets");
        assert_eq!(
            f.pos,
            Pos {
                line: 2,
                column: 18
            }
        );
        assert_eq!(f.arguments.len(), 3);
        assert!(doc.fragments.contains_key("More"));
    }

    #[test]
    fn reports_syntax_errors_like_graphql_java() {
        let err = parse("{ allFactSheets { totalCount }").unwrap_err();
        assert_eq!(
            err.message,
            "Invalid Syntax : offending token '<EOF>' at line 1 column 31"
        );
        assert!(parse("").is_err());
        assert!(parse("{ a(x: ) }").is_err());
    }

    #[test]
    fn strings_and_numbers() {
        let doc = parse(r#"{ a(s: "x\n\u0041", b: """ hi """, n: -1.5e2, i: 7) }"#).unwrap();
        let Selection::Field(f) = &doc.operations[0].selection[0] else {
            panic!()
        };
        assert_eq!(f.arguments[0].1, Value::String("x\nA".into()));
        assert_eq!(f.arguments[1].1, Value::String(" hi ".into()));
        assert_eq!(f.arguments[2].1, Value::Float(-150.0));
        assert_eq!(f.arguments[3].1, Value::Int(7));
    }
}
