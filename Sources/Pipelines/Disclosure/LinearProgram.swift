import CGLPK

/// A linear programme over non-negative variables bound by equations, solved with GLPK's simplex
/// (Debian's libglpk). The only file that calls GLPK.
///
/// It is built once per connected group of unknowns; each ``optimum(of:maximise:)`` changes only
/// the objective, so GLPK starts from the previous optimal basis (a warm start: a few pivots
/// instead of a solve from scratch).
final class LinearProgram {
    /// One equation: Σ coefficient × variable = value.
    struct Equation {
        var terms: [(column: Int, coefficient: Double)]
        var value: Double
    }

    enum Outcome: Equatable {
        case optimal(Double)
        case unbounded
        case infeasible
    }

    private let problem: OpaquePointer
    private var parameters = glp_smcp()
    /// Columns with a non-zero objective coefficient now.
    private var objectiveColumns: [Int] = []
    let columns: Int

    init(columns: Int, equations: [Equation]) {
        precondition(columns > 0, "a linear programme needs a variable")
        _ = glp_term_out(GLP_OFF)
        problem = glp_create_prob()
        glp_set_obj_dir(problem, GLP_MIN)
        glp_add_cols(problem, Int32(columns))
        for c in 1...columns { glp_set_col_bnds(problem, Int32(c), GLP_LO, 0, 0) }
        if !equations.isEmpty {
            glp_add_rows(problem, Int32(equations.count))
            var rowIndex: [Int32] = [0], columnIndex: [Int32] = [0], values: [Double] = [0]
            for (r, e) in equations.enumerated() {
                glp_set_row_bnds(problem, Int32(r + 1), GLP_FX, e.value, e.value)
                for t in e.terms {
                    rowIndex.append(Int32(r + 1))
                    columnIndex.append(Int32(t.column + 1))
                    values.append(t.coefficient)
                }
            }
            glp_load_matrix(problem, Int32(values.count - 1), &rowIndex, &columnIndex, &values)
        }
        self.columns = columns
        glp_init_smcp(&parameters)
        parameters.msg_lev = GLP_MSG_OFF
        parameters.presolve = GLP_OFF
    }

    deinit { glp_delete_prob(problem) }

    /// The smallest or largest value `column` can take.
    func optimum(of column: Int, maximise: Bool) -> Outcome {
        optimum(of: [(column, 1)], maximise: maximise)
    }

    /// The smallest or largest value of Σ coefficient × column.
    func optimum(of objective: [(column: Int, coefficient: Double)], maximise: Bool) -> Outcome {
        for c in objectiveColumns { glp_set_obj_coef(problem, Int32(c + 1), 0) }
        for t in objective { glp_set_obj_coef(problem, Int32(t.column + 1), t.coefficient) }
        objectiveColumns = objective.map(\.column)
        glp_set_obj_dir(problem, maximise ? GLP_MAX : GLP_MIN)
        var status = glp_simplex(problem, &parameters)
        if status != 0 {
            // A basis that went numerically bad: start again from an advanced basis.
            glp_adv_basis(problem, 0)
            status = glp_simplex(problem, &parameters)
        }
        switch glp_get_status(problem) {
        case GLP_OPT: return .optimal(glp_get_obj_val(problem))
        case GLP_UNBND: return .unbounded
        case GLP_NOFEAS: return .infeasible
        default:
            // GLP_UNDEF after a failed retry: the dual simplex from scratch settles it.
            glp_std_basis(problem)
            parameters.meth = GLP_DUALP
            defer { parameters.meth = GLP_PRIMAL }
            _ = glp_simplex(problem, &parameters)
            switch glp_get_status(problem) {
            case GLP_OPT: return .optimal(glp_get_obj_val(problem))
            case GLP_UNBND: return .unbounded
            default: return .infeasible
            }
        }
    }

    /// Widens `low` and `high` (one per variable) to take in the last solution, a feasible point
    /// when it was optimal.
    func observeSolution(low: inout [Double], high: inout [Double]) {
        precondition(low.count == columns && high.count == columns)
        low.withUnsafeMutableBufferPointer { low in
            high.withUnsafeMutableBufferPointer { high in
                for i in 0..<columns {
                    let v = glp_get_col_prim(problem, Int32(i + 1))
                    if v < low[i] { low[i] = v }
                    if v > high[i] { high[i] = v }
                }
            }
        }
    }
}
