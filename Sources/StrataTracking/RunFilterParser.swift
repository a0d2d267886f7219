/// Reads the text of a `RunFilter`: a tokenizer and a recursive-descent parser over
/// `or` → `and` → `not` → `( … )` or `field op value`.
struct RunFilterParser {
    /// One token and where it starts (1-based character position).
    struct Token: Equatable {
        enum Kind: Equatable { case word, number, string, op, open, close }
        var kind: Kind
        var text: String
        var position: Int
    }

    private let source: String
    private var tokens: [Token] = []
    private var index = 0
    private var tokenError: FilterError?

    init(_ source: String) {
        self.source = source
        do { tokens = try Self.tokenize(source) } catch { tokenError = error as? FilterError }
    }

    /// The whole text as one condition; throws when anything is left over.
    mutating func parseWhole() throws -> RunFilter {
        if let tokenError { throw tokenError }
        guard !tokens.isEmpty else { throw FilterError("--where: the filter is empty") }
        let filter = try parseOr()
        if index < tokens.count {
            let token = tokens[index]
            throw fault(at: token, "expected 'and', 'or' or the end after a complete condition")
        }
        return filter
    }

    private mutating func parseOr() throws -> RunFilter {
        var left = try parseAnd()
        while keyword("or") { left = .or(left, try parseAnd()) }
        return left
    }

    private mutating func parseAnd() throws -> RunFilter {
        var left = try parseUnary()
        while keyword("and") { left = .and(left, try parseUnary()) }
        return left
    }

    private mutating func parseUnary() throws -> RunFilter {
        if keyword("not") { return .not(try parseUnary()) }
        guard let token = next() else { throw endFault("expected a condition (field op value) or '('") }
        if token.kind == .open {
            let inner = try parseOr()
            guard let close = next() else { throw endFault("expected ')' to close the '(' at character \(token.position)") }
            guard close.kind == .close else { throw fault(at: close, "expected ')' to close the '(' at character \(token.position)") }
            return inner
        }
        guard token.kind == .word else { throw fault(at: token, "expected a field such as params.NAME or metrics.NAME") }
        guard let field = RunField(token.text) else {
            throw fault(at: token, "not a field; use params.NAME, metrics.NAME, latest.NAME or one of "
                        + RunField.columns.joined(separator: ", "))
        }
        guard let opToken = next() else { throw endFault("expected a comparison (<, <=, >, >=, =, !=) after '\(token.text)'") }
        guard opToken.kind == .op, let op = Self.operators[opToken.text] else {
            throw fault(at: opToken, "expected a comparison (<, <=, >, >=, =, !=) after '\(token.text)'")
        }
        guard let valueToken = next() else { throw endFault("expected a value after '\(opToken.text)'") }
        switch valueToken.kind {
        case .number: return .comparison(field, op, .number(Double(valueToken.text)!))
        case .string: return .comparison(field, op, .text(valueToken.text))
        case .word where !["and", "or", "not"].contains(valueToken.text.lowercased()):
            return .comparison(field, op, .text(valueToken.text))
        default: throw fault(at: valueToken, "expected a value (a number, 'text' or a word) after '\(opToken.text)'")
        }
    }

    private static let operators: [String: ComparisonOperator] = [
        "<": .less, "<=": .lessOrEqual, ">": .greater, ">=": .greaterOrEqual, "=": .equal, "==": .equal,
        "!=": .notEqual, "<>": .notEqual,
    ]

    private mutating func next() -> Token? {
        guard index < tokens.count else { return nil }
        index += 1
        return tokens[index - 1]
    }

    /// Consumes the keyword `word` (any case) when it comes next.
    private mutating func keyword(_ word: String) -> Bool {
        guard index < tokens.count, tokens[index].kind == .word, tokens[index].text.lowercased() == word else { return false }
        index += 1
        return true
    }

    private func fault(at token: Token, _ message: String) -> FilterError {
        let shown = token.kind == .string ? "'\(token.text)'" : token.text
        return FilterError("--where \"\(source)\": at '\(shown)' (character \(token.position)): \(message)")
    }

    private func endFault(_ message: String) -> FilterError {
        FilterError("--where \"\(source)\": at the end: \(message)")
    }

    /// Splits `text` into words (fields and bare values), numbers, quoted strings, operators and parentheses.
    static func tokenize(_ text: String) throws -> [Token] {
        let characters = Array(text)
        var tokens: [Token] = []
        var i = 0
        func isWordCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || "_-./".contains(c) }
        while i < characters.count {
            let c = characters[i], start = i
            if c.isWhitespace { i += 1; continue }
            if c == "(" || c == ")" {
                tokens.append(Token(kind: c == "(" ? .open : .close, text: String(c), position: i + 1))
                i += 1
            } else if "<>=!".contains(c) {
                var op = String(c)
                if i + 1 < characters.count, "<>=".contains(characters[i + 1]) { op.append(characters[i + 1]) }
                guard operators[op] != nil else {
                    throw FilterError("--where \"\(text)\": at '\(op)' (character \(i + 1)): not a comparison; use <, <=, >, >=, =, !=")
                }
                tokens.append(Token(kind: .op, text: op, position: i + 1))
                i += op.count
            } else if c == "'" || c == "\"" {
                i += 1
                var value = ""
                while i < characters.count, characters[i] != c { value.append(characters[i]); i += 1 }
                guard i < characters.count else {
                    throw FilterError("--where \"\(text)\": at character \(start + 1): the string \(c)\(value) is not closed with \(c)")
                }
                i += 1
                tokens.append(Token(kind: .string, text: value, position: start + 1))
            } else if c.isNumber || ((c == "-" || c == "+" || c == ".") && i + 1 < characters.count
                                     && (characters[i + 1].isNumber || characters[i + 1] == ".")) {
                i += 1
                while i < characters.count, isWordCharacter(characters[i]) || characters[i] == "+"
                        && "eE".contains(characters[i - 1]) { i += 1 }
                let word = String(characters[start..<i])
                guard let number = Double(word), number.isFinite else {
                    throw FilterError("--where \"\(text)\": at '\(word)' (character \(start + 1)): not a number")
                }
                _ = number
                tokens.append(Token(kind: .number, text: word, position: start + 1))
            } else if isWordCharacter(c) {
                while i < characters.count, isWordCharacter(characters[i]) { i += 1 }
                tokens.append(Token(kind: .word, text: String(characters[start..<i]), position: start + 1))
            } else {
                throw FilterError("--where \"\(text)\": at '\(c)' (character \(start + 1)): unexpected character")
            }
        }
        return tokens
    }
}
