"""Drawing with the child: the canvas (finger, pen or mouse), its tools, the sheets of the
drawing tools (Three Houses, Wizard / Fairy, Safety House, free drawing) and the child's turn.

A drawing is vector data (`domain.direct_work_content.Drawing`); `paint.paint_drawing` is the one
function that draws it, for the canvas and for the PNG renderings (`paint.render_drawing`).
"""
