use kubeset_derive::CustomResource;

#[derive(CustomResource)]
#[kubeset(group = "example.com", version = "v1", kind = "Foo")]
pub struct Foo {
    pub size: u32,
}

fn main() {}
