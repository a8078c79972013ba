"""kg's tokenizer: one token per character, as spaCy's ``zh`` ``char`` segmenter, made in linear time.

spaCy's segmenter aligns the characters with the text by searching the rest of the text for each one
(quadratic in a document's length), and spaCy rebuilds ``doc.text`` from the tokens on every access;
this one keeps the text it was given in ``doc.user_data["kg_text"]``.

>>> from spacy.vocab import Vocab
>>> doc = CharTokenizer(Vocab())("云阁村 推行\\n积分制")
>>> [t.text_with_ws for t in doc]
['云', '阁', '村 ', '推', '行', '\\n', '积', '分', '制']
"""
from __future__ import annotations

import re

from spacy.tokens import Doc
from spacy.util import registry

# a non-space character with the one plain space after it (a token's trailing space, as in spaCy),
# or any other run of white space (a token of its own)
_TOKEN = re.compile(r"(\S)( ?)|(\s+)")


class CharTokenizer:
    def __init__(self, vocab):
        self.vocab = vocab

    def __call__(self, text):
        words, spaces = [], []
        for char, space, blank in _TOKEN.findall(text):
            words.append(char or blank)
            spaces.append(bool(space))
        doc = Doc(self.vocab, words=words, spaces=spaces)
        doc.user_data["kg_text"] = text
        return doc


@registry.tokenizers("kg.CharTokenizer.v1")
def create_char_tokenizer():
    def make(nlp):
        return CharTokenizer(nlp.vocab)
    return make
