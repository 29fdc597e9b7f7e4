//! The XML of an OFD package that signature verification reads: `OFD.xml` (where the
//! signature lists are), `Signatures.xml` (the list) and each `Signature.xml` (what is signed).
//!
//! Elements are matched by local name, whatever their namespace prefix or URI (real producers
//! write `http://www.ofdspec.org/2016` and `http://www.ofdspec.org`), and in any order. DTDs
//! are refused, so no entity can expand or reach outside the package.

use roxmltree::{Document, Node, ParsingOptions};

use super::package::{folder_of, resolve};
use super::OfdError;

/// At most this many XML nodes in one file: far above any real signature list.
const NODES_LIMIT: u32 = 1_000_000;

/// One entry of `Signatures.xml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureEntry {
    /// The `ID` attribute.
    pub id: String,
    /// The `Type` attribute: `Seal` (also when absent, as GB/T 33190 says) or `Sign`.
    pub kind: String,
    /// The normalised path of its `Signature.xml`.
    pub path: String,
}

/// What a `Signature.xml` says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedInfo {
    /// `SignatureMethod`, trimmed (empty when absent).
    pub signature_method: String,
    /// `SignatureDateTime`, trimmed, as written.
    pub date_time: Option<String>,
    /// The `CheckMethod` of `References`, trimmed; `None` when absent.
    pub check_method: Option<String>,
    /// Each `Reference`: the entry as written, its normalised path (`None` when it leaves
    /// the package) and the digest it claims.
    pub references: Vec<Reference>,
    /// The normalised path of the `SignedValue`.
    pub signed_value: String,
    /// The normalised path of the seal file (`Seal/BaseLoc`), when there is one.
    pub seal: Option<String>,
}

/// One `Reference` of a `Signature.xml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// `FileRef` as written.
    pub file_ref: String,
    /// Where it points, normalised; `None` when it leaves the package.
    pub path: Option<String>,
    /// The base64-decoded `CheckValue`; `None` when it is not base64.
    pub check_value: Option<Vec<u8>>,
}

fn parse<'a>(text: &'a str, path: &str) -> Result<Document<'a>, OfdError> {
    let options = ParsingOptions {
        nodes_limit: NODES_LIMIT,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(text, options).map_err(|e| xml_error(path, e.to_string()))
}

fn xml_error(path: &str, reason: impl Into<String>) -> OfdError {
    OfdError::Xml {
        path: format!("/{path}"),
        reason: reason.into(),
    }
}

fn text_of(bytes: &[u8], path: &str) -> Result<String, OfdError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8(bytes.to_vec()).map_err(|e| xml_error(path, format!("not UTF-8: {e}")))
}

fn root<'a, 'i>(doc: &'a Document<'i>, name: &str, path: &str) -> Result<Node<'a, 'i>, OfdError> {
    let root = doc.root_element();
    if root.tag_name().name() == name {
        Ok(root)
    } else {
        Err(xml_error(
            path,
            format!(
                "the root element is <{}>, not <{name}>",
                root.tag_name().name()
            ),
        ))
    }
}

fn children<'a, 'i: 'a>(node: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children()
        .filter(move |n| n.is_element() && n.tag_name().name() == name)
}

fn child<'a, 'i: 'a>(node: Node<'a, 'i>, name: &'a str) -> Option<Node<'a, 'i>> {
    children(node, name).next()
}

fn text(node: Node<'_, '_>) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect::<String>()
        .trim()
        .to_owned()
}

fn location(node: Node<'_, '_>, folder: &str, path: &str, what: &str) -> Result<String, OfdError> {
    let written = text(node);
    if written.is_empty() {
        return Err(xml_error(path, format!("<{what}> is empty")));
    }
    resolve(folder, &written)
        .ok_or_else(|| xml_error(path, format!("<{what}> '{written}' leaves the package")))
}

/// The normalised paths of the signature lists that `OFD.xml` names, one per document that
/// has one (`DocBody/Signatures`).
pub fn signature_lists(ofd_xml: &[u8]) -> Result<Vec<String>, OfdError> {
    const PATH: &str = "OFD.xml";
    let source = text_of(ofd_xml, PATH)?;
    let doc = parse(&source, PATH)?;
    let root = root(&doc, "OFD", PATH)?;
    let bodies: Vec<_> = children(root, "DocBody").collect();
    if bodies.is_empty() {
        return Err(xml_error(PATH, "no <DocBody>"));
    }
    bodies
        .into_iter()
        .filter_map(|body| child(body, "Signatures"))
        .map(|node| location(node, "", PATH, "Signatures"))
        .collect()
}

/// The entries of the signature list at `path`.
pub fn signature_entries(bytes: &[u8], path: &str) -> Result<Vec<SignatureEntry>, OfdError> {
    let source = text_of(bytes, path)?;
    let doc = parse(&source, path)?;
    let root = root(&doc, "Signatures", path)?;
    let folder = folder_of(path);
    children(root, "Signature")
        .map(|node| {
            let id = node.attribute("ID").unwrap_or("").trim().to_owned();
            let base = node.attribute("BaseLoc").ok_or_else(|| {
                xml_error(path, format!("<Signature ID=\"{id}\"> has no BaseLoc"))
            })?;
            let target = resolve(folder, base).ok_or_else(|| {
                xml_error(
                    path,
                    format!("<Signature ID=\"{id}\"> BaseLoc '{base}' leaves the package"),
                )
            })?;
            Ok(SignatureEntry {
                kind: node.attribute("Type").unwrap_or("Seal").trim().to_owned(),
                id,
                path: target,
            })
        })
        .collect()
}

/// What the `Signature.xml` at `path` says.
pub fn signed_info(bytes: &[u8], path: &str) -> Result<SignedInfo, OfdError> {
    use base64::Engine as _;
    let source = text_of(bytes, path)?;
    let doc = parse(&source, path)?;
    let root = root(&doc, "Signature", path)?;
    let folder = folder_of(path);
    let info = child(root, "SignedInfo").ok_or_else(|| xml_error(path, "no <SignedInfo>"))?;
    let signed_value = child(root, "SignedValue")
        .ok_or_else(|| xml_error(path, "no <SignedValue>"))
        .and_then(|node| location(node, folder, path, "SignedValue"))?;
    let seal = child(info, "Seal")
        .and_then(|seal| child(seal, "BaseLoc"))
        .map(|node| location(node, folder, path, "Seal/BaseLoc"))
        .transpose()?;
    let references_node = child(info, "References");
    let references = references_node
        .into_iter()
        .flat_map(|refs| children(refs, "Reference"))
        .map(|node| {
            let file_ref = node.attribute("FileRef").unwrap_or("").trim().to_owned();
            let check_value = child(node, "CheckValue").and_then(|v| {
                let written: String = text(v).split_whitespace().collect();
                base64::engine::general_purpose::STANDARD
                    .decode(written)
                    .ok()
            });
            Reference {
                path: resolve(folder, &file_ref),
                file_ref,
                check_value,
            }
        })
        .collect();
    Ok(SignedInfo {
        signature_method: child(info, "SignatureMethod").map(text).unwrap_or_default(),
        date_time: child(info, "SignatureDateTime")
            .map(text)
            .filter(|t| !t.is_empty()),
        check_method: references_node
            .and_then(|r| r.attribute("CheckMethod"))
            .map(|m| m.trim().to_owned()),
        references,
        signed_value,
        seal,
    })
}

/// What `OFD.xml` says of one document (`DocBody`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocBody {
    /// `DocInfo/DocID`.
    pub doc_id: Option<String>,
    /// `DocInfo/CustomDatas/CustomData`: (`Name`, text), in order.
    pub custom_data: Vec<(String, String)>,
    /// The normalised path of its `Document.xml` (`DocRoot`).
    pub doc_root: Option<String>,
}

/// The documents of `OFD.xml`, in order.
pub fn doc_bodies(ofd_xml: &[u8]) -> Result<Vec<DocBody>, OfdError> {
    const PATH: &str = "OFD.xml";
    let source = text_of(ofd_xml, PATH)?;
    let doc = parse(&source, PATH)?;
    let root = root(&doc, "OFD", PATH)?;
    children(root, "DocBody")
        .map(|body| {
            let info = child(body, "DocInfo");
            let custom_data = info
                .and_then(|i| child(i, "CustomDatas"))
                .into_iter()
                .flat_map(|c| children(c, "CustomData"))
                .map(|d| (d.attribute("Name").unwrap_or("").trim().to_owned(), text(d)))
                .collect();
            Ok(DocBody {
                doc_id: info.and_then(|i| child(i, "DocID")).map(text),
                custom_data,
                doc_root: child(body, "DocRoot")
                    .map(|n| location(n, "", PATH, "DocRoot"))
                    .transpose()?,
            })
        })
        .collect()
}

/// The normalised path of the custom tag list (`CustomTags`) that the `Document.xml` at
/// `path` names, if any.
pub fn custom_tag_list(document_xml: &[u8], path: &str) -> Result<Option<String>, OfdError> {
    let source = text_of(document_xml, path)?;
    let doc = parse(&source, path)?;
    let root = root(&doc, "Document", path)?;
    child(root, "CustomTags")
        .map(|n| location(n, folder_of(path), path, "CustomTags"))
        .transpose()
}

/// The normalised paths of the tag files (`CustomTag/FileLoc`) of the list at `path`.
pub fn custom_tag_files(list_xml: &[u8], path: &str) -> Result<Vec<String>, OfdError> {
    let source = text_of(list_xml, path)?;
    let doc = parse(&source, path)?;
    let root = root(&doc, "CustomTags", path)?;
    children(root, "CustomTag")
        .filter_map(|tag| child(tag, "FileLoc"))
        .map(|n| location(n, folder_of(path), path, "FileLoc"))
        .collect()
}

/// Every element of the XML at `path` that holds text and no element: (local name, text).
pub fn leaf_texts(bytes: &[u8], path: &str) -> Result<Vec<(String, String)>, OfdError> {
    let source = text_of(bytes, path)?;
    let doc = parse(&source, path)?;
    Ok(doc
        .descendants()
        .filter(|n| n.is_element() && !n.children().any(|c| c.is_element()))
        .map(|n| (n.tag_name().name().to_owned(), text(n)))
        .filter(|(_, t)| !t.is_empty())
        .collect())
}
