"""Rebuild ``defectors-article.html``, ``.pdf`` and ``.docx`` from the raw capture in ``../shared/seed/``.

The HTML is laid out the way the original blog page carried the article (a
WordPress theme: header, navigation, "Categorized | …", byline, share widget,
print widget, comments, sidebar, footer), with the capture's text verbatim,
so the extraction is tested against a page nobody here cleaned. The PDF is the
article as a browser's "print to PDF" would give it: the article's text only,
on A4 pages. The .docx is what a word processor writes: the article typed as
a document (title, byline, paragraphs, headings in heading styles) and saved
by LibreOffice (``soffice``, Debian's libreoffice-writer-nogui) as Word 2007
XML. Run once by hand (``python tests/data/documents/make_article_fixtures.py``);
the outputs are committed, so tests never need ``../shared``.
"""

from __future__ import annotations

import html
import subprocess
import tempfile
from pathlib import Path

from fpdf import FPDF

HERE = Path(__file__).resolve().parent
SEED = HERE.parents[3] / "shared" / "seed" / "000_147da7631101f1fd.txt"
if not SEED.exists():
    SEED = Path("/work/shared/seed/000_147da7631101f1fd.txt")
HEADINGS = {
    "North Korean Policy to Discourage Defections",
    "Conditions in the South for Defectors",
    "North-South Rapprochement and Impact on Seoul’s Attitude toward Defectors",
}


def article_parts() -> tuple[str, str, list[tuple[str, str]], list[str], str]:
    """Title, byline, the body as (kind, text) blocks, the two pingbacks, and the sidebar blurb."""
    blocks = [" ".join(block.split()) for block in SEED.read_text(encoding="utf-8").split("\n\n") if block.strip()]
    assert blocks[0].startswith("Categorized |")
    title, byline = blocks[1], blocks[2]
    end = blocks.index("Print Friendly, PDF & Email")
    body = [("h3" if block in HEADINGS else "p", block) for block in blocks[3:end]]
    pingbacks = [block.removeprefix("1. ").removeprefix("2. ") for block in blocks if block.startswith(("1. ", "2. "))]
    return title, byline, body, pingbacks, blocks[-1]


def page_html() -> str:
    title, byline, body, pingbacks, blurb = article_parts()
    e = html.escape
    paragraphs = "\n".join(
        f'<h3><strong>{e(text)}</strong></h3>' if kind == "h3"
        else f"<p><em>{e(text)}</em></p>" if text.startswith(("Robert R. King is", "Photo from"))
        else f"<p>{e(text)}</p>"
        for kind, text in body
    )
    comments = "\n".join(
        f'<li class="pingback" id="comment-{n}"><div class="comment-body">Pingback: '
        f'<a href="https://example.net/post-{n}" rel="external nofollow ugc" class="url">Defectors and the '
        f'election | News roundup</a> <p>{e(text)}</p></div></li>'
        for n, text in enumerate(pingbacks, 1)
    )
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} | The Peninsula</title>
<meta property="og:type" content="article">
<meta property="og:title" content="{e(title)}">
<meta property="og:site_name" content="The Peninsula">
<meta name="author" content="Robert R. King">
<link rel="stylesheet" href="/wp-content/themes/peninsula/style.css">
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}</script>
</head>
<body class="post-template-default single single-post">
<div id="page" class="site">
<header id="masthead" class="site-header">
  <div class="site-branding">
    <p class="site-title"><a href="/" rel="home">The Peninsula</a></p>
    <p class="site-description">Korea Economic Institute of America</p>
  </div>
  <nav id="site-navigation" class="main-navigation">
    <ul id="primary-menu" class="menu">
      <li><a href="/">Home</a></li>
      <li><a href="/about/">About The Peninsula</a></li>
      <li><a href="/category/north-korea/">North Korea</a></li>
      <li><a href="/category/south-korea/">South Korea</a></li>
      <li><a href="/category/economics/">Economics &amp; Trade</a></li>
      <li><a href="/authors/">Our Authors</a></li>
      <li><a href="/podcast/">Korea Kontext Podcast</a></li>
      <li><a href="/contact/">Contact</a></li>
    </ul>
    <form role="search" method="get" class="search-form" action="/"><input type="search" name="s" placeholder="Search the blog"></form>
  </nav>
</header>
<div id="content" class="site-content">
<div id="primary" class="content-area">
<main id="main" class="site-main">
<article id="post-39871" class="post type-post status-publish format-standard hentry category-north-korea category-slider">
  <div class="postmeta"><span class="categories">Categorized | <a href="/category/north-korea/" rel="category tag">North Korea</a>, <a href="/category/slider/" rel="category tag">slider</a></span></div>
  <header class="entry-header">
    <h1 class="entry-title">{e(title)}</h1>
    <div class="entry-meta"><span class="byline">By <span class="author vcard"><a class="url fn n" href="/author/robert-king/">{e(byline.removeprefix("By "))}</a></span></span></div>
  </header>
  <div class="entry-content">
{paragraphs}
<div class="printfriendly pf-button pf-alignleft"><a href="#" rel="nofollow" class="noslimstat">Print Friendly, PDF &amp; Email</a></div>
<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block sd-social sd-social-icon-text sd-sharing"><h3 class="sd-title">Share this:</h3><div class="sd-content"><ul>
<li class="share-twitter"><a class="share-twitter sd-button" href="?share=twitter" target="_blank" title="Click to share on Twitter"><span>Twitter</span></a></li>
<li class="share-facebook"><a class="share-facebook sd-button" href="?share=facebook" target="_blank" title="Click to share on Facebook"><span>Facebook</span></a></li>
<li class="share-linkedin"><a class="share-linkedin sd-button" href="?share=linkedin" target="_blank" title="Click to share on LinkedIn"><span>LinkedIn</span></a></li>
<li class="share-email"><a class="share-email sd-button" href="?share=email" target="_blank" title="Click to email a link to a friend"><span>Email</span></a></li>
</ul></div></div></div>
  </div>
</article>
<div id="comments" class="comments-area">
  <h3 id="comments-title">{len(pingbacks)} Responses to “{e(title)}”</h3>
  <ol class="commentlist">
{comments}
  </ol>
  <div id="respond" class="comment-respond">
    <h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>
    <form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form">
      <p class="comment-notes">Your email address will not be published. Required fields are marked *</p>
      <p class="comment-form-comment"><label for="comment">Comment</label><textarea id="comment" name="comment"></textarea></p>
      <p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Post Comment"></p>
    </form>
  </div>
</div>
</main>
</div>
<aside id="secondary" class="widget-area">
  <section id="text-2" class="widget widget_text"><h2 class="widget-title">About The Peninsula</h2>
  <div class="textwidget"><p>{e(blurb)} <a href="mailto:editor@example.org">the editors</a>.</p></div></section>
  <section id="recent-posts-2" class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2>
  <ul><li><a href="/2020/01/korea-trade/">What Korea’s Trade Figures Say About 2020</a></li><li><a href="/2020/01/alliance-costs/">The Cost-Sharing Talks Resume</a></li></ul></section>
</aside>
</div>
<footer id="colophon" class="site-footer">
  <div class="site-info">© Korea Economic Institute of America. All rights reserved. <a href="/privacy/">Privacy Policy</a> | <a href="/terms/">Terms of Use</a></div>
</footer>
</div>
</body>
</html>
"""


def write_pdf(target: Path) -> None:
    """The article as printed: title, byline, then its paragraphs and headings, in DejaVu (the quotes are curly)."""
    title, byline, body, _, _ = article_parts()
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_author(byline.removeprefix("By "))
    pdf.set_creator("make_article_fixtures.py (fpdf2)")
    fonts = Path("/usr/share/fonts/truetype/dejavu")
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSerif.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSerif-Bold.ttf"))
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 18)
    pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(0, 7, byline, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for kind, text in body:
        if kind == "h3":
            pdf.ln(2)
            pdf.set_font("DejaVu", "B", 13)
            pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("DejaVu", "", 11)
        else:
            pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.output(str(target))


def write_docx(target: Path) -> None:
    """The article as a Word document, written by LibreOffice from the article alone."""
    title, byline, body, _, _ = article_parts()
    e = html.escape
    parts = [f"<h1>{e(title)}</h1>", f"<p>{e(byline)}</p>"]
    parts += [f"<h2>{e(text)}</h2>" if kind == "h3" else f"<p>{e(text)}</p>" for kind, text in body]
    with tempfile.TemporaryDirectory() as scratch:
        typed = Path(scratch) / target.with_suffix(".html").name
        typed.write_text(
            f"<html><head><meta charset='utf-8'><title>{e(title)}</title><meta name='author' content='Robert R. King'>"
            f"</head><body>{''.join(parts)}</body></html>",
            encoding="utf-8",
        )
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "docx:MS Word 2007 XML", "--infilter=HTML", "--outdir", scratch,
             str(typed)],
            check=True,
            timeout=300,
        )
        target.write_bytes(typed.with_suffix(".docx").read_bytes())


if __name__ == "__main__":
    (HERE / "defectors-article.html").write_text(page_html(), encoding="utf-8")
    write_pdf(HERE / "defectors-article.pdf")
    write_docx(HERE / "defectors-article.docx")
    print("wrote", *(HERE / f"defectors-article{suffix}" for suffix in (".html", ".pdf", ".docx")))
