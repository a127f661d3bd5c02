use kubeset_derive::CustomResource;

#[derive(CustomResource)]
#[kubeset(group = "example.com", version = "v1", kind = "Foo")]
pub struct FooSpec<T> {
    pub size: T,
}

fn main() {}
